"""The Deploy tab's content: what the screen was told about each target stack, shown as the
grid of live panes while they all fit, else as a compact table (one row per stack, a progress
line, the failures grouped by cause) whose rows open the stack's full pane on demand.

The screen talks to this widget only; it holds each stack's job and lines (so a pane can be
built when asked, and 200 stacks never mount 200 panes), and switches between grid and table
as the space changes. It subscribes to nothing and starts no deploy: keys that deploy are the
screen's, which asks :meth:`selected_group` what the cursor is on."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ownstack_tui.model.deploy import DeployStatus
from ownstack_tui.model.failure_groups import FailureGroup, stack_list
from ownstack_tui.model.jobs import DeployJob, DeployRun
from ownstack_tui.tui.console import ForwardsWorkerErrors
from ownstack_tui.tui.rollout_view import RolloutView
from ownstack_tui.tui.widgets.deploy_looks import StackEntry, pane_look, progress_line, row_look

if TYPE_CHECKING:
    # Imported when first used: the console's first frame shows no grid, table or log pane.
    from ownstack_tui.tui.widgets.deploy_grid import DeployGrid
    from ownstack_tui.tui.widgets.deploy_table import DeployTable
    from ownstack_tui.tui.widgets.log_pane import LogPane
    from ownstack_tui.tui.widgets.row_table import RowTable

ROW_FLUSH = 0.1  # seconds between table updates: rows that changed, in one go
# A row whose status did not change (only its time or last line moved) is updated at most this
# often: each update draws its row's line again (when on screen), and 200 streaming rows at
# ROW_FLUSH would redraw the visible ones ten times a second for a last line nobody can read.
LINE_FLUSH = 0.5
GROUP_STACKS_SHOWN = 6  # names listed under a failure group before "… +N"
TRANSIENT_MARK = "⟳ transient"


def fits_as_grid(count: int, width: int, height: int) -> bool:
    """Every pane gets at least its minimum size in the grid's shape for this space."""
    from ownstack_tui.tui.widgets.deploy_grid import PANE_MIN_HEIGHT, PANE_MIN_WIDTH
    from ownstack_tui.tui.widgets.pane_grid import grid_shape

    _columns, rows = grid_shape(count, width, PANE_MIN_WIDTH)
    return rows * PANE_MIN_HEIGHT <= height


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def same_cell(old: str | Text, new: str | Text) -> bool:
    """Shown alike: rich's Text equality ignores the base style (a row turning red)."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old == new and old.style == new.style
    return type(old) is type(new) and old == new


def group_prompt(group: FailureGroup) -> Text:
    """``12 stacks: remote: ! [remote rejected] …`` (``2 stacks ⟳ transient: …`` for a cause
    worth retrying) over the stacks' names."""
    count, cause = group.headline().split(": ", 1)
    text = Text(count, style="bold red")
    if group.transient:  # before the cause, so a long cause never hides it
        text.append(f" {TRANSIENT_MARK}", style="bold yellow")
    text.append(f": {cause}")
    text.append(f"\n  {stack_list(group.stacks, GROUP_STACKS_SHOWN)}", style="dim")
    return text


class FailureList(OptionList):
    """The run's failures, one option per cause, largest first; the highlighted one is the
    group the screen's re-deploy key takes."""

    DEFAULT_CSS = """
    FailureList { height: auto; max-height: 7; border: none; padding: 0 1; display: none; }
    FailureList.-shown { display: block; }
    FailureList:focus { border: none; }
    """


class DeployView(ForwardsWorkerErrors, Vertical):
    BINDING_GROUP_TITLE = "Deploy tab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "show_reason", "Why it failed", id="deploy.reason"),
        Binding("escape,enter", "close_pane", "Back to the table", id="deploy.back"),
    ]
    DEFAULT_CSS = """
    DeployView { height: 1fr; }
    DeployView #deploy-progress { height: 1; padding: 0 1; display: none; }
    DeployView.-table #deploy-progress { display: block; }
    DeployView .deploy-detail { height: 1fr; }
    DeployView .deploy-detail.-failed { border: heavy $error; border-title-color: $error; }
    DeployView .deploy-detail.-failed:focus { border: heavy $error-lighten-2; }
    DeployView .deploy-detail.-succeeded { border-title-color: $success; }
    DeployView .deploy-detail.-cancelled { border-title-color: $warning; }
    DeployView .deploy-detail.-skipped { border-title-color: $text-muted; }
    DeployView .deploy-detail.-rollback { border-title-color: $secondary; }
    DeployView.-detail FailureList.-shown { display: none; }
    """

    def __init__(self, stacks: Sequence[str], clock: Callable[[], float]) -> None:
        super().__init__(id="deploy-view")
        self.clock = clock
        self.entries = {name: StackEntry(name) for name in stacks}
        self.rollout: RolloutView | None = None  # the current rollout's stacks and waves
        self.groups: list[FailureGroup] = []
        self.mode: str | None = None  # "grid" or "table", once the space is known
        self._grid: DeployGrid | None = None
        self._table: DeployTable | None = None
        self._detail: LogPane | None = None
        self._detail_stack: str | None = None
        self._dirty: set[str] = set()
        self._shown = True  # the Deploy tab is shown: hidden, the table is not kept up to date
        self._table_shape: tuple[int, bool] | None = None  # (width, waves) its columns are for
        self._widths: dict[str, int] = {}
        # What each row and the progress line show now: a flush touches only rows that changed
        # and the progress line only when it changed (Static.update re-lays out the screen).
        self._shown_cells: dict[str, list[str | Text]] = {}
        self._shown_progress: str | None = None
        self._lines_shown_at = 0.0  # monotonic: when rows whose status held were last updated

    def compose(self):  # type: ignore[override]
        yield Static("", id="deploy-progress")
        yield FailureList(id="failure-groups")

    def on_mount(self) -> None:
        self.set_interval(ROW_FLUSH, self._flush_rows, name="deploy-rows")

    async def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        if not width or not height:
            # Hidden (another tab shown): nothing to fit. Switching for it rebuilt the table
            # (200 rows) or the grid twice per visit to another tab: 1-2 s at 200 stacks.
            return
        wanted = "grid" if fits_as_grid(len(self.entries), width, height) else "table"
        if wanted != self.mode:
            await self._switch(wanted)
        elif self._table is not None and self._table_shape != self._wanted_shape():
            self._build_table()

    # -- switching ---------------------------------------------------------------------------

    async def _switch(self, mode: str) -> None:
        had_focus = self.has_focus_within
        # Forgotten before the awaits: the screen's handlers call in while this one waits,
        # and must find no half-removed grid (its lines go to the entries meanwhile).
        grid, self._grid = self._grid, None
        table, self._table = self._table, None
        if grid is not None:
            await grid.remove()
        if table is not None:
            await table.remove()
        await self._close_detail()
        self.mode = mode
        self.set_class(mode == "table", "-table")
        if mode == "grid":
            from ownstack_tui.tui.widgets.deploy_grid import DeployGrid, apply_look

            grid = DeployGrid(list(self.entries))
            await self.mount(grid)
            if self.mode != mode:  # switched again while this one mounted
                return
            self._grid = grid
            for entry in self.entries.values():
                pane = grid.pane(entry.name)
                if entry.lines:
                    pane.append(list(entry.lines))
                apply_look(pane, pane_look(entry, self.rollout, self.clock()))
        else:
            from ownstack_tui.tui.widgets.deploy_table import DeployTable

            table = DeployTable(id="deploy-table")
            await self.mount(table)
            if self.mode != mode:
                return
            self._table = table
            self._build_table()
        self._show_groups()
        if had_focus:
            self.focus_main()

    def _wanted_shape(self) -> tuple[int, bool]:
        return self.size.width, self.rollout is not None and self.rollout.staged

    def _build_table(self) -> None:
        """Columns sized to the width now (the last line takes what is left), every row."""
        table = self._table
        if table is None:
            return
        from ownstack_tui.tui.widgets.row_table import Column

        width, waves = self._table_shape = self._wanted_shape()
        stack_width = min(20, max([5, *(len(name) for name in self.entries)]))
        time_width = 26 if width >= 110 else 13
        status_width = 11 if width >= 70 else 1  # narrow: the glyph says it (failed rows are red)
        fixed = status_width + stack_width + time_width + (4 if waves else 0)
        column_count = 4 + (1 if waves else 0)
        last_width = max(10, width - fixed - 2 * column_count - 2)
        columns = [Column("status", "status" if status_width > 1 else "", status_width),
                   Column("stack", "stack", stack_width)]
        if waves:
            columns.append(Column("wave", "wave", 4))
        columns += [Column("time", "time", time_width), Column("last", "last line", last_width)]
        table.set_columns(columns)
        self._widths = {column.key: column.width for column in columns}
        self._shown_cells = {name: self._cells(entry) for name, entry in self.entries.items()}
        table.set_rows(list(self._shown_cells.items()))  # the cursor stays on its row
        self._dirty.clear()
        self._show_progress()

    def _cells(self, entry: StackEntry) -> list[str | Text]:
        look = row_look(entry, self.rollout, self.clock())
        widths = self._widths
        shown = look.status if widths["status"] > 1 else look.status.split(" ", 1)[0]
        status = Text(cut(shown, widths["status"]), style="bold red" if look.failed else "")
        cells: list[str | Text] = [status, cut(entry.name, widths["stack"])]
        if self._table_shape is not None and self._table_shape[1]:
            cells.append(look.wave)
        # The last line as Text: a plain str cell is read as markup, and build output has
        # brackets ("! [remote rejected] …").
        cells += [cut(look.time, widths["time"]), Text(cut(look.last, widths["last"]))]
        return cells

    def _flush_rows(self, catch_up: bool = False) -> None:
        """The rows that changed since the last flush, at most every ROW_FLUSH seconds, while
        the tab is shown (``catch_up``: every one, now)."""
        table = self._table
        if table is None or not self._dirty or not self._shown:
            return
        now = time.monotonic()
        lines_due = catch_up or now - self._lines_shown_at >= LINE_FLUSH
        held: set[str] = set()
        in_view = table.keys_in_view()
        for name in self._dirty:
            entry = self.entries.get(name)
            if entry is None:
                continue
            if name not in in_view:  # updated once scrolled to (at the next flush)
                held.add(name)
                continue
            cells = self._cells(entry)
            shown = self._shown_cells.get(name)
            # Status, stack (and wave) come before time and last line: when they hold, it waits.
            if not lines_due and shown is not None and all(
                same_cell(old, new) for old, new in zip(shown[:-2], cells[:-2], strict=True)
            ):
                held.add(name)
                continue
            if shown is None or not all(same_cell(old, new) for old, new in zip(shown, cells, strict=True)):
                table.update_row(name, cells)
            self._shown_cells[name] = cells
        if lines_due:
            self._lines_shown_at = now
        self._dirty = held
        self._show_progress()

    def _show_progress(self) -> None:
        line = progress_line(list(self.entries.values()), self.rollout)
        if line != self._shown_progress:
            self._shown_progress = line
            self.query_one("#deploy-progress", Static).update(line)

    def set_shown(self, shown: bool) -> None:
        """The Deploy tab was shown or hidden (the screen says): hidden, its table is not kept
        up to date; shown again, it catches up at once."""
        self._shown = shown
        if shown:
            self._flush_rows(catch_up=True)

    def _changed(self, stack: str) -> None:
        """``stack``'s look changed: its pane now, its row at the next flush."""
        entry = self.entries[stack]
        if self._grid is not None or self._detail is not None:
            from ownstack_tui.tui.widgets.deploy_grid import apply_look
        if self._grid is not None:
            apply_look(self._grid.pane(stack), pane_look(entry, self.rollout, self.clock()))
        if self._detail is not None and self._detail_stack == stack:
            apply_look(self._detail, pane_look(entry, self.rollout, self.clock()))
        self._dirty.add(stack)

    def _pane_of(self, stack: str) -> LogPane | None:
        """The pane on screen now that shows ``stack``, if any."""
        if self._grid is not None:
            return self._grid.pane(stack)
        if self._detail is not None and self._detail_stack == stack:
            return self._detail
        return None

    # -- what the screen tells it ---------------------------------------------------------------

    def show_run(
        self,
        run: DeployRun,
        rollbacks: Mapping[str, tuple[str | None, str]] | None = None,
        usual: Mapping[str, float | None] | None = None,
        waiting: Sequence[str] = (),
    ) -> None:
        """Show ``run``'s jobs from now on (a new run clears its stacks' old logs); a stack in
        ``rollbacks`` is titled with the SHA it ran and the one it goes back to. ``waiting``:
        a rollout's stacks whose jobs come later (``show_job``)."""
        self.rollout = None
        for name in waiting:
            entry = self.entries[name]
            entry.lines.clear()
            entry.job, entry.rollback = None, None
            pane = self._pane_of(name)
            if pane is not None:
                pane.clear()
            self._changed(name)
        for job in run.jobs:
            self.show_job(job, (usual or {}).get(job.stack), (rollbacks or {}).get(job.stack))

    def show_job(
        self, job: DeployJob, usual: float | None = None,
        rollback: tuple[str | None, str] | None = None,
    ) -> None:
        """``job`` is its stack's from now on; a rollout's rollback keeps the deploy's log above
        its own."""
        entry = self.entries[job.stack]
        pane = self._pane_of(job.stack)
        if job.rollback_of is None:
            entry.lines.clear()
            if pane is not None:
                pane.clear()
        else:
            lines = ["", f"↺ rolling back (job {job.id}), undoing job {job.rollback_of}"]
            entry.lines.extend(lines)
            if pane is not None:
                pane.append(lines)
        entry.job, entry.usual, entry.rollback = job, usual, rollback
        self._changed(job.stack)

    def show_rollout(self, view: RolloutView) -> None:
        """The rollout's waves and stack phases: waiting panes, health findings, held locks."""
        self.rollout = view
        if self._table is not None and self._table_shape != self._wanted_shape():
            self._build_table()  # the wave column comes with a staged rollout
        for name in view.stacks:
            if name in self.entries:
                self._changed(name)

    def update_job(self, job: DeployJob) -> None:
        entry = self.entries.get(job.stack)
        if entry is not None and entry.job is job:  # else an older run's late news
            self._changed(job.stack)

    def append(self, job: DeployJob, lines: list[str]) -> None:
        entry = self.entries.get(job.stack)
        if entry is None or entry.job is not job:
            return
        entry.lines.extend(lines)
        pane = self._pane_of(job.stack)
        if pane is not None:
            pane.append(lines)
        self._dirty.add(job.stack)

    def update_titles(self) -> None:
        """Once a second: elapsed times and ETAs move."""
        for name, entry in self.entries.items():
            if entry.job is not None:
                if self._grid is not None or self._detail_stack == name:
                    self._changed(name)
                elif not entry.job.is_final:
                    self._dirty.add(name)

    def show_failures(self, groups: Sequence[FailureGroup]) -> None:
        """The failures grouped by cause: listed in table mode, and above the grid once two
        stacks or more failed."""
        self.groups = list(groups)
        self._show_groups()

    def _show_groups(self) -> None:
        listing = self.query_one(FailureList)
        failed = sum(len(group.stacks) for group in self.groups)
        shown = bool(self.groups) and (self.mode == "table" or failed >= 2)
        highlighted = listing.highlighted
        listing.clear_options()
        if shown:
            listing.add_options([Option(group_prompt(group), id=str(index))
                                 for index, group in enumerate(self.groups)])
            listing.highlighted = min(highlighted or 0, len(self.groups) - 1)
        listing.set_class(shown, "-shown")

    # -- what the screen asks -------------------------------------------------------------------

    @property
    def groups_shown(self) -> bool:
        return self.query_one(FailureList).has_class("-shown")

    def selected_group(self) -> FailureGroup | None:
        """The failure group under the cursor (the largest until the user moves it)."""
        if not self.groups_shown:
            return None
        index = self.query_one(FailureList).highlighted
        return self.groups[index or 0] if self.groups else None

    def describe_groups(self) -> str:
        """The failure groups as shown, plain (for tests)."""
        if not self.groups_shown:
            return ""
        return "\n".join(group_prompt(group).plain for group in self.groups)

    def main_widget(self) -> Widget | None:
        """What the tab is about: the open pane, the table, or the first pane."""
        if self._detail is not None:
            return self._detail
        if self._table is not None:
            return self._table
        if self._grid is not None and self.entries:
            return self._grid.pane(next(iter(self.entries)))
        return None

    def focus_main(self) -> None:
        widget = self.main_widget()
        if widget is not None:
            widget.focus()

    def highlighted_stack(self) -> str | None:
        """The stack of the table row under the cursor (table mode)."""
        return self._table.cursor_key if self._table is not None else None

    def failed_stacks(self) -> list[str]:
        return [name for name, entry in self.entries.items()
                if entry.job is not None and entry.job.status is DeployStatus.FAILED]

    def next_failed(self, maximize: bool = False) -> str | None:
        """The next failed stack's pane (after the one shown or focused, cycling), opened and
        focused; None when no stack failed."""
        failed = self.failed_stacks()
        if not failed:
            return None
        current = self._detail_stack or self._focused_grid_stack()
        following = failed[(failed.index(current) + 1) % len(failed)] if current in failed else None
        if following is None and current in self.entries:
            names = list(self.entries)
            after = [name for name in failed if names.index(name) > names.index(current)]
            following = after[0] if after else failed[0]
        stack = following or failed[0]
        self.open_pane(stack, maximize)
        return stack

    def _focused_grid_stack(self) -> str | None:
        if self._grid is None:
            return None
        return next((name for name in self.entries if self._grid.pane(name).has_focus), None)

    def open_pane(self, stack: str, maximize: bool = False) -> None:
        """Focus ``stack``'s full live pane: its grid pane, or in table mode one built from the
        lines kept for it (it goes on streaming until closed)."""
        if stack not in self.entries:
            return
        if self._grid is not None:
            self._focus_pane(self._grid.pane(stack), maximize)
            return
        if self._table is None:
            return
        self.run_worker(self._open_detail(stack, maximize), group="deploy-detail", exclusive=True,
                        exit_on_error=False, description=f"open the pane of {stack}")

    async def _open_detail(self, stack: str, maximize: bool) -> None:
        if self._detail_stack == stack and self._detail is not None:
            self._focus_pane(self._detail, maximize)
            return
        await self._close_detail()
        from ownstack_tui.tui.widgets.deploy_grid import apply_look
        from ownstack_tui.tui.widgets.log_pane import LogPane

        entry = self.entries[stack]
        pane = LogPane(id=f"pane-{stack}", classes="deploy-detail")
        await self.mount(pane)
        self._detail, self._detail_stack = pane, stack
        if entry.lines:
            pane.append(list(entry.lines))
        apply_look(pane, pane_look(entry, self.rollout, self.clock()))
        if self._table is not None:
            self._table.display = False
            self._table.move_cursor(list(self.entries).index(stack))
        self.add_class("-detail")
        self._focus_pane(pane, maximize)

    def _focus_pane(self, pane: LogPane, maximize: bool) -> None:
        if maximize:
            self.screen.maximize(pane, container=False)
        pane.focus()

    async def _close_detail(self) -> None:
        detail, self._detail, self._detail_stack = self._detail, None, None
        self.remove_class("-detail")
        if detail is not None:
            if self.screen.maximized is detail:
                self.screen.minimize()
            await detail.remove()
        if self._table is not None:
            self._table.display = True

    # -- keys -------------------------------------------------------------------------------

    def _failed_job(self) -> DeployJob | None:
        """The failed job of the focused grid pane, if it failed."""
        stack = self._focused_grid_stack()
        job = self.entries[stack].job if stack is not None else None
        return job if job is not None and job.status is DeployStatus.FAILED else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_reason":
            return self._failed_job() is not None
        if action == "close_pane":
            return self._detail is not None
        return True

    def action_show_reason(self) -> None:
        """The whole reason, wrapped: the pane's subtitle cuts it at the pane's width."""
        from ownstack_tui.tui.screens.message import MessageScreen

        job = self._failed_job()
        if job is not None:
            self.app.push_screen(MessageScreen(
                f"Deploy to {job.stack} failed (job {job.id}, {job.short_sha})",
                job.reason or "no reason was recorded", warning=True,
            ))

    async def action_close_pane(self) -> None:
        """Back from a stack's pane to the table, on that stack's row."""
        await self._close_detail()
        if self._table is not None:
            self._table.focus()

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        # A handler by name, not @on(RowTable.RowSelected, ...): that would import RowTable
        # with this module, before the first frame.
        if event.control.id == "deploy-table":
            event.stop()
            self.open_pane(event.key)
