"""The screen operators live in during a rollout: header, stacks sidebar, tabs, footer.

It renders what the Console publishes (see :mod:`ownstack_tui.tui.messages`) and turns keys
into the Console's intents; it holds no state of its own about the stacks or the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from ownstack_tui.errors import UnknownHostKey
from ownstack_tui.model import validation
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.tui import messages
from ownstack_tui.tui.console import ForwardsWorkerErrors
from ownstack_tui.tui.one_frame import FocusLooksNow, OneFrameTabs
from ownstack_tui.tui.startup_gc import RESUME_AFTER, resume_gc
from ownstack_tui.tui.tabs.lazy_pane import LazyTabPane
from ownstack_tui.tui.widgets.deploy_view import DeployView
from ownstack_tui.tui.widgets.key_footer import KeyFooter
from ownstack_tui.tui.widgets.stack_sidebar import StackColumn, StackSidebar
from ownstack_tui.tui.widgets.target_header import TargetHeader
from ownstack_tui.tui.widgets.wave_bar import WaveBar

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from ownstack_tui.engine.history import HistoryEntry, TimelineItem
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console
    from ownstack_tui.tui.tabs.fleet_tab import FleetTab

SUMMARY_MIN_HEIGHT = 30  # rows; below, the run summary is a toast only
HISTORY_ACTIONS = frozenset({"rollback", "open_history_entry"})
GROUP_ACTIONS = ("redeploy_group", "redeploy_transient", "next_failed")
GATE_ACTIONS = ("promote", "halt")
# Every tab but Deploy is built the first time it is shown (start-up pays for one tab).
LAZY_TABS = {
    "config": ("Config", "ownstack_tui.tui.tabs.config_tab:ConfigTab"),
    "scale": ("Scale", "ownstack_tui.tui.tabs.scale_tab:ScaleTab"),
    "logs": ("Logs", "ownstack_tui.tui.tabs.logs_tab:LogsTab"),
    "history": ("History", "ownstack_tui.tui.widgets.history_table:HistoryTable"),
    "fleet": ("Fleet", "ownstack_tui.tui.tabs.fleet_tab:FleetTab"),
}


@runtime_checkable
class TabContent(Protocol):
    """What a lazy tab's content offers (the History table aside)."""

    def ensure_loaded(self) -> None: ...

    def main_widget(self) -> Widget | None: ...


@runtime_checkable
class HistoryContent(Protocol):
    """The History tab's table (imported with the tab: its DataTable and the history's
    modules are not the first frame's)."""

    has_focus: bool

    def show(self, entries: Sequence[TimelineItem]) -> None: ...

    @property
    def selected(self) -> HistoryEntry | None: ...


@runtime_checkable
class FleetContent(Protocol):
    """What the Fleet tab offers the screen: health readings shown, and their ages."""

    def show(self) -> None: ...

    def update_ages(self) -> None: ...

    def reading_started(self) -> None: ...

    def reading_done(self) -> None: ...

    def set_action_status(self, text: Text) -> None: ...


@runtime_checkable
class StackLogs(Protocol):
    """The Logs tab: show one stack's tail (started if it was not)."""

    def show_stack(self, stack: str) -> None: ...


class MainScreen(ForwardsWorkerErrors, FocusLooksNow):
    BINDING_GROUP_TITLE = "Console"
    DEFAULT_CSS = """
    MainScreen #deploy-summary { height: auto; padding: 0 1; display: none; }
    MainScreen #deploy-summary.-shown { display: block; }
    /* Short terminals keep every row for the panes: the run's toast says the same. */
    MainScreen #deploy-summary.-short { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown while a staged rollout can take them (a manual gate waits, a later wave is left),
        # first, so the footer never cuts them off at 80 columns.
        Binding("P", "promote", "Promote", id="main.promote"),
        Binding("H", "halt", "Halt", id="main.halt"),
        Binding("d", "deploy_all", "Deploy all", id="main.deploy_all"),
        Binding("s", "deploy_selected", "Deploy stack", id="main.deploy_selected"),
        Binding("r", "redeploy_failed", "Re-deploy failed", id="main.redeploy_failed"),
        Binding("x", "cancel_deploy", "Cancel", id="main.cancel"),
        # Shown while the Deploy tab lists failures grouped by cause (a big fleet's table, or
        # two failed stacks or more above the grid).
        Binding("R", "redeploy_group", "Re-deploy group", id="deploy.redeploy_group"),
        Binding("t", "redeploy_transient", "Re-deploy transient", id="deploy.redeploy_transient"),
        Binding("f", "next_failed", "Next failed", id="deploy.next_failed"),
        Binding("D", "deploy_all_at_once", "Deploy all at once", show=False, id="main.deploy_all_at_once"),
        Binding("z", "toggle_maximize", "Maximise", id="main.maximize"),
        Binding("f5,ctrl+r", "refresh_status", "Refresh", id="main.refresh"),
        Binding("1", "focus_stacks", "Stacks", show=False, id="main.focus_stacks"),
        Binding("2", "show_tab('deploy')", "Deploy tab", show=False, id="main.tab_deploy"),
        Binding("3", "show_tab('config')", "Config tab", show=False, id="main.tab_config"),
        Binding("4", "show_tab('scale')", "Scale tab", show=False, id="main.tab_scale"),
        Binding("5", "show_tab('logs')", "Logs tab", show=False, id="main.tab_logs"),
        Binding("6", "show_tab('history')", "History tab", show=False, id="main.tab_history"),
        Binding("7", "show_tab('fleet')", "Fleet tab", show=False, id="main.tab_fleet"),
        Binding("enter", "open_history_entry", "Open job log", show=False, id="main.open_entry"),
        Binding("b", "rollback", "Roll back to this deploy", id="main.rollback"),
    ]

    # Textual repaints the whole screen when focus moves (Screen.focused repaints): every
    # pane, the table and the sidebar drawn again for a key that changes two widgets' looks.
    # The widget focused and the one blurred repaint themselves, :focus-within styles are
    # updated by Textual either way (issue 14: a fifth of a focus key's cost at 9 stacks).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self) -> None:
        super().__init__(id="main")
        self._offered: tuple[bool | None, ...] = ()  # the keys that come and go, last offered
        self._shown_before = False
        self._tab_caught_up = ""  # the tab whose showing was handled last

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    def compose(self) -> ComposeResult:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        controller = self.controller
        yield TargetHeader(
            controller.app_model.name,
            app.fleet_label,
            controller.engine.via,
            controller.engine.backend.target_label,
            # Via the API: which token is in use (its source, never the token).
            credential=controller.engine.backend.credential_label,
        )
        with Horizontal(id="body"):
            yield StackColumn(StackSidebar(
                list(controller.states.values()), app.clock, controller.refresh_interval,
                controller.listing,
            ))
            with OneFrameTabs(id="tabs", initial="deploy"):
                with TabPane("Deploy", id="deploy"):
                    yield WaveBar()
                    yield Static("", id="deploy-summary")
                    yield DeployView(list(controller.states), app.clock)
                for tab, (title, content) in LAZY_TABS.items():
                    yield LazyTabPane(title, content, id=tab)
        yield KeyFooter()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler (subclass first). The first resume is the first
        # showing: every node was styled as it mounted, and Textual would style them all again
        # (~1/10 of the CPU from App.run to the first frame). Back from a dialog, it restyles.
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        self.controller.attach(self)
        self.set_interval(1.0, self._tick, name="tick")
        # After the first frame: an operator sees the screen before any stack answers.
        self.call_after_refresh(self.controller.start)
        self.set_timer(RESUME_AFTER, resume_gc)  # paused by the launcher for start-up

    def on_resize(self) -> None:
        # On the summary, not the screen: a class on the screen restyles all ~50 widgets
        # (~1/10 of the CPU to the first frame in an 80x24 terminal).
        self.query_one("#deploy-summary").set_class(self.size.height < SUMMARY_MIN_HEIGHT, "-short")
        self.query_one(WaveBar).set_compact(self.size.height < SUMMARY_MIN_HEIGHT)

    def _tick(self) -> None:
        self.query_one(DeployView).update_titles()
        self.query_one(StackSidebar).refresh_states()
        fleet = self._fleet_tab()
        if fleet is not None and self.query_one(TabbedContent).active == "fleet":
            fleet.update_ages()  # hidden, nothing to age: showing the tab again catches up

    # -- what the Console says -------------------------------------------------------------

    def on_stacks_changed(self, _message: messages.StacksChanged) -> None:
        self.query_one(StackSidebar).refresh_states()

    def on_stack_listing_changed(self, message: messages.StackListingChanged) -> None:
        self.query_one(StackSidebar).show_listing(message.listing)

    def on_run_started(self, message: messages.RunStarted) -> None:
        self.query_one(TabbedContent).active = "deploy"
        self.query_one(WaveBar).show(None)
        view = self.query_one(DeployView)
        view.show_run(message.run, message.rollbacks, message.usual, message.waiting)
        view.show_failures(self.controller.failure_groups())
        self._offered_keys_changed()
        self._show_summary("")

    def on_job_started(self, message: messages.JobStarted) -> None:
        self.query_one(DeployView).show_job(message.job, message.usual, message.rollback)

    def on_rollout_changed(self, message: messages.RolloutChanged) -> None:
        self._offered_keys_changed()  # Promote and Halt come and go with the gate
        self.query_one(WaveBar).show(message.view, self._gate_keys())
        self.query_one(DeployView).show_rollout(message.view)

    def _offered_keys_changed(self) -> None:
        """Redraw the footer when a key that comes and goes (the gate's, the failure groups')
        came or went: a redraw rebuilds every footer key, too costly for each job's news."""
        offered = tuple(self.check_action(action, ()) for action in (*GATE_ACTIONS, *GROUP_ACTIONS))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def _gate_keys(self) -> tuple[str, str] | None:
        """The keys Promote and Halt are on now (remapped ones too), for the wave bar's hint."""
        keys = {binding.action: self.app.get_key_display(binding)
                for _node, binding, enabled, _tip in self.active_bindings.values()
                if binding.action in GATE_ACTIONS and enabled}
        return (keys["promote"], keys["halt"]) if len(keys) == 2 else None

    def on_job_updated(self, message: messages.JobUpdated) -> None:
        view = self.query_one(DeployView)
        view.update_job(message.job)
        if message.job.status is DeployStatus.FAILED:
            view.show_failures(self.controller.failure_groups())
            self._offered_keys_changed()

    def on_job_lines(self, message: messages.JobLines) -> None:
        view = self.query_one(DeployView)
        for job, lines in message.lines.items():
            view.append(job, lines)

    def on_run_progress(self, message: messages.RunProgress) -> None:
        self.query_one(TargetHeader).show_progress(message.done, message.total)

    def on_run_finished(self, message: messages.RunFinished) -> None:
        summary = message.summary
        self.query_one(DeployView).show_failures(self.controller.failure_groups())
        self._offered_keys_changed()
        self.query_one(TargetHeader).show_progress(None)
        self._show_summary(f"Last run: {summary.text()}")
        failed = f" · failed on {', '.join(summary.failed_stacks)}" if summary.failed_stacks else ""
        severity = "error" if summary.failed else "warning" if summary.cancelled else "information"
        self.notify(summary.text() + failed, severity=severity, timeout=10, markup=False)

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        """Already notified; a deploy that could not run also says so above the panes, a
        fleet-health reading, restart or rebuild under the Fleet table."""
        fleet = self._fleet_tab()
        if message.source.startswith("fleet-") and fleet is not None:
            if message.source == "fleet-health":
                fleet.reading_done()
            fleet.set_action_status(Text(f"✗ {message.text}", style="red"))
        if message.source == "deploy":
            self.query_one(TargetHeader).show_progress(None)
            self._show_summary(f"✗ {message.text}")

    def _show_summary(self, text: str) -> None:
        summary = self.query_one("#deploy-summary", Static)
        summary.update(text)
        summary.set_class(bool(text), "-shown")

    # -- fleet health ------------------------------------------------------------------------

    def _fleet_tab(self) -> FleetContent | None:
        """The Fleet tab's content, or None before the tab was first shown."""
        content = self.query_one("#fleet", LazyTabPane).content
        return content if isinstance(content, FleetContent) else None

    def on_fleet_health_reading(self, _message: messages.FleetHealthReading) -> None:
        fleet = self._fleet_tab()
        if fleet is not None:
            fleet.reading_started()

    def on_fleet_health_read(self, _message: messages.FleetHealthRead) -> None:
        fleet = self._fleet_tab()
        if fleet is not None:
            fleet.reading_done()

    def on_stack_action_finished(self, message: messages.StackActionFinished) -> None:
        fleet = self._fleet_tab()
        if fleet is not None and message.error is None:
            past = "restarted" if message.action == "restart" else "rebuilt"
            name = self.controller.app_model.name
            fleet.set_action_status(Text(f"✓ {past} {name} on {message.stack}", style="green"))

    async def on_fleet_tab_open_logs(self, message: FleetTab.OpenLogs) -> None:
        """Enter on a Fleet row: that stack's runtime logs."""
        self.controller.selected_stack = message.stack
        self.query_one(TabbedContent).active = "logs"
        widget = await self._open_tab("logs")
        if isinstance(widget, StackLogs):
            widget.show_stack(message.stack)

    def on_history_loaded(self, message: messages.HistoryLoaded) -> None:
        table = self._history_table()
        if table is not None:
            table.show(message.entries)

    def on_job_log_read(self, message: messages.JobLogRead) -> None:
        from ownstack_tui.tui.screens.job_log import JobLogScreen

        self.app.push_screen(JobLogScreen(message.entry, message.lines))

    def on_host_keys_unknown(self, message: messages.HostKeysUnknown) -> None:
        self._ask_about_host_keys(message.errors)

    @work(group="host-keys", exit_on_error=False, description="ask about host keys")
    async def _ask_about_host_keys(self, errors: list[UnknownHostKey]) -> None:
        """One modal per stack with an unknown host key (a changed key is only reported)."""
        from ownstack_tui.tui.screens.host_key import HostKeyScreen

        trusted = False
        for error in errors:
            answer = await self.app.push_screen_wait(
                HostKeyScreen(error.stack, error.host, error.port, error.key_type, error.fingerprint)
            )
            if answer in ("once", "always"):
                self.controller.trust_host_key(error, remember=answer == "always")
                trusted = True
        if trusted:
            self.controller.refresh()

    # -- intents -----------------------------------------------------------------------------

    def action_refresh_status(self) -> None:
        """Read every stack again now (the sidebar's "checked … ago" says when it answered);
        on the Fleet tab, their health too."""
        self.controller.refresh()
        if self.query_one(TabbedContent).active == "fleet":
            self.controller.fleet_watch.read()

    def action_deploy_all(self) -> None:
        """Every stack, in the waves of the app's rollout when it declares one."""
        self._confirm_then_deploy(list(self.controller.states), whole_app=True)

    def action_deploy_all_at_once(self) -> None:
        """Every stack at once, whatever rollout the app declares (``--all-at-once``)."""
        self._confirm_then_deploy(list(self.controller.states), whole_app=True, at_once=True)

    def action_promote(self) -> None:
        if self.controller.promote():
            self.notify("Promoted: the next wave starts")
        else:
            self.notify("No rollout is waiting at a gate")

    def action_halt(self) -> None:
        if not self.controller.halt():
            self.notify("No staged rollout with waves left to halt")
            return
        undo = "; what went out is rolled back" if self.controller.halt_rolls_back else ""
        self.notify(f"Halting: no further wave starts{undo}", severity="warning")

    def action_deploy_selected(self) -> None:
        selected = self.query_one(StackSidebar).selected
        if selected is not None:
            self._confirm_then_deploy([selected.name])

    def action_redeploy_failed(self) -> None:
        failed = self.controller.failed_stacks()
        if not failed:
            self.notify("No failed stacks to re-deploy")
            return
        self._confirm_then_deploy(failed)

    def action_redeploy_group(self) -> None:
        """Re-deploy the stacks of the failure group under the cursor (the largest at first)."""
        group = self.query_one(DeployView).selected_group()
        if group is None:
            self.notify("No failures to re-deploy")
            return
        self._confirm_then_deploy(list(group.stacks))

    def action_redeploy_transient(self) -> None:
        """Re-deploy only the stacks whose failure looks passing (connection, timeout, lock)."""
        stacks = self.controller.transient_failures()
        if not stacks:
            self.notify("No transient failures to re-deploy")
            return
        self._confirm_then_deploy(stacks)

    def action_next_failed(self) -> None:
        """The next failed stack's full pane (cycling through them)."""
        self.query_one(TabbedContent).active = "deploy"
        if self.query_one(DeployView).next_failed() is None:
            self.notify("No failed stacks")

    def action_cancel_deploy(self) -> None:
        if self.controller.cancel():
            self.notify("Cancelling the deploy…")
        else:
            self.notify("No deploy is running")

    @work(group="confirm", exit_on_error=False, description="confirm the deploy")
    async def _confirm_then_deploy(
        self, stacks: list[str], rollback: HistoryEntry | None = None, what: str = "",
        whole_app: bool = False, at_once: bool = False,
    ) -> None:
        controller = self.controller
        policy = controller.app_model.rollout
        if whole_app and policy is not None and not at_once and len(policy.waves) > 1:
            what = f"{controller.app_model.name} in {len(policy.waves)} waves (gate {policy.gate.value})"
        if controller.is_deploying:
            self.notify("A deploy is already running; cancel it first (x)", severity="warning")
            return
        production = [name for name in stacks if validation.is_production_name(name)]
        if production:
            from ownstack_tui.tui.screens.confirm import ConfirmScreen

            # What each stack runs now (as it reported) → what it will run.
            target = (rollback and rollback.sha) or controller.app_model.branch
            states = controller.states
            confirmed = await self.app.push_screen_wait(
                ConfirmScreen(
                    f"Deploy {what or controller.app_model.name} to production?",
                    "This touches: " + ", ".join(production),
                    confirm_label="Deploy",
                    changes=[(name, states[name].deployed_sha, target) for name in stacks],
                )
            )
            if not confirmed:
                self.notify("Nothing deployed")
                return
        if rollback:
            started = controller.rollback(rollback)
        elif whole_app:
            started = controller.deploy_app(at_once)
        else:
            started = controller.deploy(stacks)
        if not started:
            self.notify("A deploy is already running; cancel it first (x)", severity="warning")

    # -- history -----------------------------------------------------------------------------

    def _history_table(self) -> HistoryContent | None:
        """The History tab's table, or None before the tab was first shown."""
        content = self.query_one("#history", LazyTabPane).content
        return content if isinstance(content, HistoryContent) else None

    def action_open_history_entry(self) -> None:
        table = self._history_table()
        if table is None or not table.has_focus or table.selected is None:
            return
        self.controller.open_job_log(table.selected)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a history row (the table takes the key itself) opens its log. (A handler
        by name: DataTable is not imported before the History tab is shown.)"""
        if event.control.id != "history-table":
            return  # another tab's table
        event.stop()
        self.action_open_history_entry()

    def action_rollback(self) -> None:
        """Re-deploy the selected history entry's SHA to that entry's stack alone."""
        table = self._history_table()
        entry = table.selected if table is not None else None
        if self.query_one(TabbedContent).active != "history" or entry is None:
            self.notify("Choose a deploy in the History tab (6) first")
            return
        if not entry.sha:
            self.notify(f"Job {entry.id} recorded no SHA: nothing to roll back to", severity="warning")
            return
        app_model = self.controller.app_model
        if entry.stack not in app_model.stacks:
            self.notify(f"{entry.stack} is no longer a target of this app", severity="warning")
            return
        self._confirm_then_deploy(
            [entry.stack], rollback=entry, what=f"{app_model.name} {entry.sha[:7]} (roll back)"
        )

    # -- navigation --------------------------------------------------------------------------

    def action_focus_stacks(self) -> None:
        self.query_one(StackSidebar).focus()

    async def action_show_tab(self, tab: str) -> None:
        # One frame shows it all: none is drawn while the batch is held, and the focus (which
        # the footer's keys follow) is set here, not by a focus() callback after the action,
        # which a frame drawn under load could come before.
        with self.app.batch_update():
            self.query_one(TabbedContent).active = tab
            await self._catch_up_tab()  # in this frame: TabActivated comes after it
            target: Widget | None = None
            if tab == "deploy":
                target = self.query_one(DeployView).main_widget()
            elif tab in LAZY_TABS:
                widget = await self.query_one(f"#{tab}", LazyTabPane).build()
                target = widget.main_widget() if isinstance(widget, TabContent) else widget
            if target is not None:
                self.set_focus(target)

    async def _open_tab(self, tab: str) -> Widget:
        """A lazy tab's content: built the first time, then asked to read what it shows."""
        pane = self.query_one(f"#{tab}", LazyTabPane)
        first = pane.content is None
        widget = await pane.build()
        if tab == "history" and isinstance(widget, HistoryContent):
            if first and self.controller.history is not None:
                widget.show(self.controller.history)
        elif isinstance(widget, TabContent):
            widget.ensure_loaded()
        return widget

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        from ownstack_tui.tui.widgets.log_pane import LogPane  # here: no pane at the first frame

        pane = self.focused
        view = self.query_one(DeployView)
        if not isinstance(pane, LogPane):
            # The deploy table's row under the cursor, else the stack chosen in the sidebar.
            stack = view.highlighted_stack() if view.has_focus_within else None
            selected = self.query_one(StackSidebar).selected
            stack = stack or (selected.name if selected is not None else None)
            if stack is None:
                return
            self.query_one(TabbedContent).active = "deploy"
            view.open_pane(stack, maximize=True)
            return
        # container=False: the pane itself, not the tabs around it.
        self.maximize(pane, container=False)
        pane.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """History's actions are offered (footer, keys) only while History is shown."""
        if action in HISTORY_ACTIONS and self.is_mounted:
            return self.query_one(TabbedContent).active == "history"
        if action in GROUP_ACTIONS and self.is_mounted:
            view = self.query_one(DeployView)
            if action == "redeploy_transient":
                return view.groups_shown and any(group.transient for group in view.groups)
            if action == "next_failed":
                return view.groups_shown or (view.mode == "table" and bool(view.failed_stacks()))
            return view.groups_shown
        if action == "promote":
            return self.controller.awaiting_promotion
        if action == "halt":
            return self.controller.can_halt
        return True

    @on(TabbedContent.TabActivated)
    async def _tab_shown(self, _event: TabbedContent.TabActivated) -> None:
        """A tab shown by any means (mouse too) is built and reads what it needs the first
        time."""
        await self._catch_up_tab()

    async def _catch_up_tab(self) -> None:
        """What the tab shown now needs, once per showing. A tab key does it at once, so the
        frame that shows the tab shows it caught up: TabActivated arrives after that frame
        (its table's rows, the footer's keys were a second frame). By the time a message
        arrives another tab may be shown: the active one is what counts."""
        tab = self.query_one(TabbedContent).active
        if tab == self._tab_caught_up:
            return
        self._tab_caught_up = tab
        self.refresh_bindings()
        self.controller.fleet_watch.shown(tab == "fleet")  # read while the Fleet tab is shown
        self.query_one(DeployView).set_shown(tab == "deploy")  # its table kept up while shown
        if tab in LAZY_TABS:
            await self._open_tab(tab)

    @on(StackSidebar.EntryHighlighted)
    def _stack_highlighted(self, event: StackSidebar.EntryHighlighted) -> None:
        self.controller.selected_stack = event.key

    @on(StackSidebar.EntrySelected)
    def _stack_chosen(self, event: StackSidebar.EntrySelected) -> None:
        """Enter on a stack focuses its pane; on a stack that did not answer, it first says
        why (the sidebar has room for "down", not for the cause)."""
        self.query_one(TabbedContent).active = "deploy"
        self.query_one(DeployView).open_pane(event.key)
        state = self.controller.states.get(event.key)
        if state is not None and state.reachable is False and state.error:
            from ownstack_tui.tui.screens.message import MessageScreen

            self.app.push_screen(MessageScreen(f"{state.name} did not answer", state.error, warning=True))
