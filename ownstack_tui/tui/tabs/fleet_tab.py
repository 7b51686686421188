"""The Fleet tab: every stack's health side by side, the same table as ``status``.

One row per stack: SHA and its distance from the branch tip, processes, TLS days, config
fingerprint, dokku version, lock and its owner, last deploy, and how old the reading is. Each
cell is coloured by its severity; an outlier (differs from its peers) is highlighted and ends
in ``!`` so it reads without colour. Problems (an unreachable stack's cause among them) are
listed under the table. The Console reads the health; this tab only shows it and asks for
restarts and rebuilds.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ownstack_tui.model import validation
from ownstack_tui.model.health import COLUMNS, HEADINGS, Cell, FleetHealth, Severity, StackHealth, format_age
from ownstack_tui.tui.tabs.table_tab import TabFrame, column_widths
from ownstack_tui.tui.widgets.row_table import Column, RowTable

OUTLIER_MARK = "!"
SEVERITY_STYLES = {Severity.OK: "", Severity.WARNING: "yellow", Severity.CRITICAL: "bold red"}
# Problems listed under the table: the status shows 8 lines at most (its first says when it
# was read), and measuring a 200-problem table for its height cost ~0.3 s per tab switch.
PROBLEMS_SHOWN = 6
AGE_WIDTH = len("119 min ago")  # the longest Read cell (format_age: minutes below 2 h, then h, d)
LEGEND = "enter logs · R restart · B rebuild · ! outlier"


def cell_text(cell: Cell, stale: bool = False) -> Text:
    """A cell as shown: its severity's colour; an outlier reversed and marked ``!``."""
    style = SEVERITY_STYLES[cell.severity]
    if cell.outlier:
        return Text(f"{cell.text} {OUTLIER_MARK}", style=f"{style} reverse".strip())
    return Text(cell.text, style="dim" if stale else style)


def health_text(row: StackHealth) -> Text:
    if not row.reachable:
        return Text("unreachable", style="bold red")
    return Text(row.severity.label, style=SEVERITY_STYLES[row.severity] or "green")


def heading(column: str) -> str:
    return HEADINGS[column] if column == "tls" else HEADINGS[column].capitalize()


class FleetTab(TabFrame):
    NAME = "fleet"
    BINDING_GROUP_TITLE = "Fleet tab"
    LEGEND = LEGEND
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "open_logs", "Stack logs", id="fleet.logs"),
        Binding("R", "act('restart')", "Restart app", id="fleet.restart"),
        Binding("B", "act('rebuild')", "Rebuild app", id="fleet.rebuild"),
    ]
    palette_tab = "fleet"

    class OpenLogs(Message):
        """Show the Logs tab on ``stack`` (the screen owns the tabs)."""

        def __init__(self, stack: str) -> None:
            super().__init__()
            self.stack = stack

    def __init__(self) -> None:
        super().__init__()
        self.action_status = Text()  # the last restart/rebuild: under way, done, failed
        self.reading = False
        # The reading the table shows, and its Read column: showing the tab again, or the
        # second's tick, refills nothing and touches only the ages that changed (a refill of
        # 200 rows cost more than the rest of a key press).
        self._shown_health: FleetHealth | None = None
        self._shown_ages: dict[str, str] = {}
        # Each stack's cells (the age aside) and what they were made of: a new reading (every
        # few seconds while the tab is shown) builds and redraws only the rows that changed.
        self._made: dict[str, tuple[object, list[Text]]] = {}
        self._shown_rows: dict[str, list[Text]] = {}
        self._shown_layout: object = None  # the columns, their widths and the rows the table has
        self._status_shown: tuple[object, object] = (None, None)  # the status's first line, the rest

    def make_table(self) -> Widget:
        # The stack's name stays put scrolling right.
        return RowTable(id="fleet-table", classes="tab-table", zebra_stripes=True, fixed_columns=1)

    @property
    def table(self) -> RowTable:
        return self.query_one("#fleet-table", RowTable)

    def fill(self, columns: list[tuple[str, str]], rows: list[tuple[str, list[Text]]]) -> None:
        """Rebuild the table: ``columns`` as (label, key), ``rows`` as (key, cells); each column
        as wide as its widest cell. The cursor stays on its row."""
        widths = self._widths(columns, rows)
        self.table.set_columns([Column(key, label, width)
                                for (label, key), width in zip(columns, widths, strict=True)])
        self.table.set_rows(rows)
        self._shown_layout = (columns, widths, [key for key, _cells in rows])

    @staticmethod
    def _widths(columns: list[tuple[str, str]], rows: list[tuple[str, list[Text]]]) -> list[int]:
        # The Read column grows older while shown ("9.8 s ago", then "14 min ago"): as wide as
        # the longest age from the start, or an age would be cut.
        return column_widths(columns, rows, at_least={"age": AGE_WIDTH})

    def ensure_loaded(self) -> None:
        """The Console reads when the tab is shown (MainScreen tells it); show what it has."""
        self.show()

    def reload(self) -> None:
        self.controller.fleet_watch.read()

    @property
    def health(self) -> FleetHealth | None:
        return self.controller.fleet_watch.health

    # -- showing ---------------------------------------------------------------------------

    def _age(self, row: StackHealth) -> str:
        read_at = self.controller.fleet_watch.read_at
        if row.age is None or read_at is None:
            return "-"
        return format_age(row.age + max(0.0, self.controller.clock() - read_at)) + " ago"

    def show(self) -> None:
        health = self.health
        if health is None:
            self.fill([("Stack", "stack")], [])
            self.set_status(Text("reading every stack's health…", style="dim"))
            return
        table = self.table
        if health is self._shown_health and table.row_count:
            self.update_ages()
            return
        columns = [("Stack", "stack"), ("Health", "health")]
        columns += [(heading(column), column) for column in COLUMNS]
        columns.append(("Read", "age"))
        made = {row.stack: self._cells(row) for row in health.stacks}
        rows = []
        for row in health.stacks:
            age = self._shown_ages[row.stack] = self._age(row)
            rows.append((row.stack, [*made[row.stack], Text(age, style="dim")]))
        if (columns, self._widths(columns, rows), list(made)) == self._shown_layout:
            for key, cells in rows:  # the same columns and rows: only what changed is redrawn
                if made[key] is not self._shown_rows.get(key):
                    table.update_row(key, cells)
                else:
                    table.update_cell(key, "age", cells[-1])
        else:
            self.fill(columns, rows)
        self._shown_rows = made
        self._made = {key: self._made[key] for key in made}
        self._shown_health = health
        self._show_status()

    def _cells(self, row: StackHealth) -> list[Text]:
        """``row``'s cells but its age: the same list as last time when what they show held."""
        made_of = (row.cells, row.error, row.problems)
        last = self._made.get(row.stack)
        if last is not None and last[0] == made_of:
            return last[1]
        cells = [Text(row.stack, style="bold"), health_text(row)]
        for column in COLUMNS:
            cell = row.cells.get(column)
            cells.append(Text("-", style="dim") if cell is None else cell_text(cell, not row.reachable))
        self._made[row.stack] = (made_of, cells)
        return cells

    def update_ages(self) -> None:
        """Each second: the Read column grows older (nothing else changes between readings)."""
        health = self.health
        if health is None or health is not self._shown_health or not self.table.row_count:
            return
        ages: dict[str, Text] = {}
        for row in health.stacks:
            text = self._age(row)
            if self._shown_ages.get(row.stack) != text:
                self._shown_ages[row.stack] = text
                ages[row.stack] = Text(text, style="dim")
        self.table.update_column("age", ages)
        self._show_status()

    def _show_status(self) -> None:
        """When it was read, then one row per problem (a long cause wraps in its own column,
        so an unreachable stack's reason stays readable at 80 columns), then the last action."""
        interval = f"every {self.controller.fleet_watch.interval:g} s"
        read_at = self.controller.fleet_watch.read_at
        first: Text | None = None
        if self.reading:
            first = Text(f"reading… · {interval}", style="dim")
        elif read_at is not None:
            age = format_age(max(0.0, self.controller.clock() - read_at))
            first = Text(f"read {age} ago · {interval}", style="dim")
        health = self.health
        problems = tuple(health.problems) if health is not None else None
        rest = (problems, len(health.stacks) if health is not None else 0, self.action_status)
        # Shown each second and on every show of the tab: most often only the age moved, on
        # its own line, and Static lays the screen out again for each update (a frame more).
        shape = (first is not None, rest)
        if (first, shape) == self._status_shown:
            return
        layout = shape != self._status_shown[1]
        self._status_shown = (first, shape)
        parts: list[RenderableType] = [first] if first is not None else []
        if health is not None and problems is not None:
            if problems:
                table = Table.grid(padding=(0, 2))
                table.add_column(no_wrap=True)
                table.add_column(no_wrap=True)
                table.add_column(overflow="fold")
                for problem in problems[:PROBLEMS_SHOWN]:
                    style = SEVERITY_STYLES[problem.severity]
                    table.add_row(problem.stack, problem.severity.label, problem.message, style=style)
                parts.append(table)
                hidden = len(problems) - PROBLEMS_SHOWN
                if hidden > 0:
                    parts.append(Text(f"… {hidden} more problem(s): `ownstack-tui status` lists them all",
                                      style="dim"))
            else:
                parts.append(Text(f"no problems on {len(health.stacks)} stack(s)", style="green"))
        if self.action_status:
            parts.append(self.action_status)
        self.query_one("#fleet-status", Static).update(Group(*parts), layout=layout)

    def set_status(self, text: Text) -> None:
        self._status_shown = (None, None)  # another text: the next status is drawn and laid out
        super().set_status(text)

    def reading_started(self) -> None:
        self.reading = True
        self._show_status()

    def reading_done(self) -> None:
        self.reading = False
        self.show()

    def set_action_status(self, text: Text) -> None:
        self.action_status = text
        self._show_status()

    # -- intents ---------------------------------------------------------------------------

    @property
    def selected(self) -> str | None:
        return self.table.cursor_key if self.health is not None else None

    @on(RowTable.RowSelected, "#fleet-table")
    def _row_chosen(self, event: RowTable.RowSelected) -> None:
        event.stop()
        self.action_open_logs()

    def action_open_logs(self) -> None:
        stack = self.selected
        if stack is not None:
            self.post_message(self.OpenLogs(stack))

    def action_act(self, action: str) -> None:
        stack = self.selected
        if stack is None:
            self.notify("No stack chosen: read the fleet's health first (f5)")
            return
        self._confirm_then_act(stack, action)

    @work(group="fleet-confirm", exit_on_error=False, description="confirm a restart or rebuild")
    async def _confirm_then_act(self, stack: str, action: str) -> None:
        app_name = self.controller.app_model.name
        if validation.is_production_name(stack):
            from ownstack_tui.tui.screens.confirm import ConfirmScreen

            what = "Restart" if action == "restart" else "Rebuild"
            detail = (
                f"{stack} looks like production: every process of {app_name} there restarts"
                if action == "restart"
                else f"{stack} looks like production: {app_name} is built again from its source there"
            )
            confirmed = await self.app.push_screen_wait(
                ConfirmScreen(f"{what} {app_name} on {stack}?", detail, confirm_label=what)
            )
            if not confirmed:
                self.notify("Nothing restarted" if action == "restart" else "Nothing rebuilt")
                return
        if not self.controller.fleet_watch.act(stack, action):
            self.notify(f"A restart or rebuild is already under way on {stack}", severity="warning")
            return
        verb = "restarting" if action == "restart" else "rebuilding"
        self.set_action_status(Text(f"{verb} {app_name} on {stack}…", style="dim"))
