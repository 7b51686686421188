"""The screen operators live in during a rollout: header, stacks sidebar, tabs, footer.

All work on stacks goes through the engine in named workers; this module only decides what
to ask for and shows what came back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from ownstack_tui.backends.base import DeployRequest
from ownstack_tui.errors import HostKeyError, UnknownHostKey
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model import validation
from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.jobs import DeployRun
from ownstack_tui.tui.stack_state import StackState
from ownstack_tui.tui.startup_gc import RESUME_AFTER, resume_gc
from ownstack_tui.tui.tabs.lazy_pane import LazyTabPane
from ownstack_tui.tui.widgets.deploy_grid import DeployGrid
from ownstack_tui.tui.widgets.key_footer import KeyFooter
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.stack_sidebar import StackSidebar
from ownstack_tui.tui.widgets.target_header import TargetHeader

if TYPE_CHECKING:
    from ownstack_tui.backends.base import AppState
    from ownstack_tui.engine.engine import RunningDeploy
    from ownstack_tui.engine.history import TimelineItem
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.widgets.history_table import HistoryTable

HISTORY_ACTIONS = frozenset({"rollback", "open_history_entry"})
# Every tab but Deploy is built the first time it is shown (start-up pays for one tab).
LAZY_TABS = {
    "config": ("Config", "ownstack_tui.tui.tabs.config_tab:ConfigTab"),
    "scale": ("Scale", "ownstack_tui.tui.tabs.scale_tab:ScaleTab"),
    "logs": ("Logs", "ownstack_tui.tui.tabs.logs_tab:LogsTab"),
    "history": ("History", "ownstack_tui.tui.widgets.history_table:HistoryTable"),
}


class MainScreen(Screen[None]):
    BINDING_GROUP_TITLE = "Console"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "deploy_all", "Deploy all", id="main.deploy_all"),
        Binding("s", "deploy_selected", "Deploy stack", id="main.deploy_selected"),
        Binding("r", "redeploy_failed", "Re-deploy failed", id="main.redeploy_failed"),
        Binding("x", "cancel_deploy", "Cancel", id="main.cancel"),
        Binding("z", "toggle_maximize", "Maximise", id="main.maximize"),
        Binding("f5,ctrl+r", "refresh_status", "Refresh", id="main.refresh"),
        Binding("1", "focus_stacks", "Stacks", show=False, id="main.focus_stacks"),
        Binding("2", "show_tab('deploy')", "Deploy tab", show=False, id="main.tab_deploy"),
        Binding("3", "show_tab('config')", "Config tab", show=False, id="main.tab_config"),
        Binding("4", "show_tab('scale')", "Scale tab", show=False, id="main.tab_scale"),
        Binding("5", "show_tab('logs')", "Logs tab", show=False, id="main.tab_logs"),
        Binding("6", "show_tab('history')", "History tab", show=False, id="main.tab_history"),
        Binding("enter", "open_history_entry", "Open job log", show=False, id="main.open_entry"),
        Binding("b", "rollback", "Roll back to this deploy", id="main.rollback"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.running: RunningDeploy | None = None
        self._history: list[TimelineItem] | None = None  # read; shown once the tab is built

    @property
    def ownstack(self) -> OwnstackApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.ownstack
        yield TargetHeader(
            app.app_model.name,
            app.fleet_label,
            app.engine.via,
            app.engine.backend.target_label,
            # Via the API: which token is in use (its source, never the token).
            credential=getattr(app.engine.backend, "token_source", None),
        )
        with Horizontal(id="body"):
            yield StackSidebar(list(app.states.values()), app.clock)
            with TabbedContent(id="tabs", initial="deploy"):
                with TabPane("Deploy", id="deploy"):
                    yield DeployGrid(list(app.states), app.clock)
                for tab, (title, content) in LAZY_TABS.items():
                    yield LazyTabPane(title, content, id=tab)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick, name="tick")
        # After the first frame: an operator sees the screen before any stack answers.
        self.call_after_refresh(self.refresh_status)
        self.call_after_refresh(self.load_history)
        self.set_timer(RESUME_AFTER, resume_gc)  # paused by the launcher for start-up

    # -- periodic ------------------------------------------------------------------------

    def _tick(self) -> None:
        self.query_one(DeployGrid).update_titles()
        self.query_one(StackSidebar).refresh_states()

    def _states_changed(self) -> None:
        if self.is_attached:  # a cancelled deploy reports back while the console closes
            self.query_one(StackSidebar).refresh_states()

    # -- status ------------------------------------------------------------------------------

    @work(exclusive=True, group="status", exit_on_error=False, description="refresh status")
    async def refresh_status(self) -> None:
        app = self.ownstack
        for state in app.states.values():
            state.checking = True
        self._states_changed()
        outcomes = await app.engine.app_states(app.app_model)
        now = app.clock()
        for name, outcome in outcomes.items():
            self._record_state(app.states[name], outcome, now)
        self._states_changed()
        await self._ask_about_host_keys(outcomes.values())

    def _record_state(self, state: StackState, outcome: StackOutcome[AppState], now: float) -> None:
        state.checking = False
        state.checked_at = now
        state.reachable = outcome.ok
        state.error = outcome.error
        if outcome.value is not None:
            state.app_exists = outcome.value.exists
            state.deployed_sha = outcome.value.deployed_sha
            state.dokku_version = outcome.value.dokku_version

    async def _ask_about_host_keys(self, outcomes: object) -> None:
        """One modal per stack with an unknown host key; a changed key is only reported."""
        from ownstack_tui.tui.screens.host_key import HostKeyScreen

        asked = False
        for outcome in outcomes:  # type: ignore[attr-defined]
            error = outcome.exception
            if isinstance(error, UnknownHostKey):
                answer = await self.app.push_screen_wait(
                    HostKeyScreen(error.stack, error.host, error.port, error.key_type, error.fingerprint)
                )
                if answer in ("once", "always"):
                    self.ownstack.engine.trust_host_key(error, remember=answer == "always")
                    asked = True
            elif isinstance(error, HostKeyError):
                self.notify(str(error), severity="error", timeout=15)
        if asked:
            self.refresh_status()

    # -- deploys -----------------------------------------------------------------------------

    def action_deploy_all(self) -> None:
        self._confirm_then_deploy(list(self.ownstack.states))

    def action_deploy_selected(self) -> None:
        selected = self.query_one(StackSidebar).selected
        if selected is not None:
            self._confirm_then_deploy([selected.name])

    def action_redeploy_failed(self) -> None:
        failed = [
            name
            for name, state in self.ownstack.states.items()
            if state.status is DeployStatus.FAILED
        ]
        if not failed:
            self.notify("No failed stacks to re-deploy")
            return
        self._confirm_then_deploy(failed)

    def action_cancel_deploy(self) -> None:
        if self.running is None or self.running.run.is_finished:
            self.notify("No deploy is running")
            return
        self.running.cancel()
        self.notify("Cancelling the deploy…")

    @work(group="confirm", exit_on_error=False)
    async def _confirm_then_deploy(
        self, stacks: list[str], request: DeployRequest | None = None, what: str = ""
    ) -> None:
        if self.running is not None and not self.running.run.is_finished:
            self.notify("A deploy is already running; cancel it first (x)", severity="warning")
            return
        production = [name for name in stacks if validation.is_production_name(name)]
        if production:
            from ownstack_tui.tui.screens.confirm import ConfirmScreen

            app = self.ownstack
            target = (request and (request.ref or request.image)) or app.app_model.branch
            confirmed = await self.app.push_screen_wait(
                ConfirmScreen(
                    f"Deploy {what or app.app_model.name} to production?",
                    "This touches: " + ", ".join(production),
                    confirm_label="Deploy",
                    changes=[(name, app.states[name].deployed_sha, target) for name in stacks],
                )
            )
            if not confirmed:
                self.notify("Nothing deployed")
                return
        self.deploy(stacks, request)

    @work(exclusive=True, group="deploy", exit_on_error=False, description="deploy")
    async def deploy(self, stacks: list[str], request: DeployRequest | None = None) -> None:
        app = self.ownstack
        self.query_one(TabbedContent).active = "deploy"
        grid = self.query_one(DeployGrid)
        running = app.engine.start_deploy(app.app_model, stacks, request)
        self.running = running
        for job in running.run.jobs:
            app.states[job.stack].job = job
            grid.watch_job(job)
            # Status changes only: rebuilding the sidebar for every log line was wasted work.
            job.subscribe(lambda event: None if event.lines else self._states_changed())
        self._states_changed()
        run = await running.wait()
        self._announce(run)
        self.load_history()
        self.refresh_status()

    def _announce(self, run: DeployRun) -> None:
        failed = run.failed_stacks()
        if failed:
            self.notify(f"Deploy failed on {', '.join(failed)}", severity="error", timeout=10)
        elif run.succeeded:
            self.notify(f"Deployed to {len(run.jobs)} stack(s)")
        else:
            self.notify("Deploy cancelled", severity="warning")

    # -- history -----------------------------------------------------------------------------

    @work(exclusive=True, group="history", exit_on_error=False, description="load history")
    async def load_history(self) -> None:
        app = self.ownstack
        self._history = app.engine.history.timeline(app=app.app_model.name)
        table = self._history_table()
        if table is not None:
            table.show(self._history)

    def _history_table(self) -> HistoryTable | None:
        """The History tab's table, or None before the tab was first shown."""
        return self.query_one("#history", LazyTabPane).content  # type: ignore[return-value]

    def action_open_history_entry(self) -> None:
        table = self._history_table()
        if table is None or not table.has_focus or table.selected is None:
            return
        from ownstack_tui.tui.screens.job_log import JobLogScreen

        entry = table.selected
        self.app.push_screen(JobLogScreen(entry, self.ownstack.engine.history.log_lines(entry.id)))

    def on_data_table_row_selected(self, event: Message) -> None:
        """Enter on a history row (the table takes the key itself) opens its log."""
        if getattr(event, "data_table", None) is self._history_table():
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
        if entry.stack not in self.ownstack.app_model.stacks:
            self.notify(f"{entry.stack} is no longer a target of this app", severity="warning")
            return
        self._confirm_then_deploy(
            [entry.stack],
            DeployRequest(ref=entry.sha),
            what=f"{self.ownstack.app_model.name} {entry.sha[:7]} (roll back)",
        )

    # -- navigation --------------------------------------------------------------------------

    def action_focus_stacks(self) -> None:
        self.query_one(StackSidebar).focus()

    async def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "deploy":
            panes = list(self.query(LogPane))
            if panes:
                panes[0].focus()
        elif tab in LAZY_TABS:
            widget = await self._open_tab(tab)
            if tab == "history":
                widget.focus()
            else:
                widget.focus_main()  # type: ignore[attr-defined]

    async def _open_tab(self, tab: str) -> Widget:
        """A lazy tab's content: built the first time, then asked to read what it shows."""
        pane = self.query_one(f"#{tab}", LazyTabPane)
        first = pane.content is None
        widget = await pane.build()
        if tab == "history":
            if first and self._history is not None:
                widget.show(self._history)  # type: ignore[attr-defined]
        else:
            widget.ensure_loaded()  # type: ignore[attr-defined]
        return widget

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        pane = self.focused
        if not isinstance(pane, LogPane):
            selected = self.query_one(StackSidebar).selected
            if selected is None:
                return
            self.query_one(TabbedContent).active = "deploy"
            pane = self.query_one(DeployGrid).pane(selected.name)
        # container=False: the pane itself, not the tabs around it.
        self.maximize(pane, container=False)
        pane.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """History's actions are offered (footer, keys) only while History is shown."""
        if action in HISTORY_ACTIONS and self.is_mounted:
            return self.query_one(TabbedContent).active == "history"
        return True

    @on(TabbedContent.TabActivated)
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """A tab shown by any means (mouse too) is built and reads what it needs the first
        time."""
        self.refresh_bindings()
        tab = event.pane.id or ""
        if tab in LAZY_TABS:
            await self._open_tab(tab)

    @on(StackSidebar.OptionSelected)
    def _stack_chosen(self, event: StackSidebar.OptionSelected) -> None:
        """Enter on a stack focuses its pane."""
        if event.option.id:
            self.query_one(TabbedContent).active = "deploy"
            self.query_one(DeployGrid).pane(event.option.id).focus()
