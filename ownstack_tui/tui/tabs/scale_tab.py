"""The Scale tab: process types × stacks with their counts; stage changes, plan, apply.

Scale lives on the stacks, not in the fleet file: the table shows what each stack reports,
staged counts are shown as "now → wanted", and applying sends each stack only its own changes
(in parallel). A stack that refuses (e.g. dokku's formation lock) shows its error on itself.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.tui.tabs.plan_text import scale_plan_text
from ownstack_tui.tui.tabs.table_tab import TableTab

WEB = "web"  # the process type that serves requests
LEGEND = "+/- change · e type a count · p plan & apply · u discard · ✎ staged"


class ScaleTab(TableTab):
    NAME = "scale"
    BINDING_GROUP_TITLE = "Scale tab"
    LEGEND = LEGEND
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign", "change(1)", "Scale up", id="scale.up"),
        Binding("minus", "change(-1)", "Scale down", id="scale.down"),
        Binding("e", "type_count", "Type count", id="scale.type"),
        Binding("p", "plan", "Plan & apply scale", id="scale.plan"),
        Binding("u", "discard", "Discard staged scale", show=False, id="scale.discard"),
        Binding("R", "reload", "Reload scale", show=False, id="scale.reload"),
    ]
    palette_tab = "scale"

    def __init__(self) -> None:
        super().__init__()
        self.scales: dict[str, dict[str, int] | None] = {}
        self.read_errors: dict[str, str] = {}
        self.apply_errors: dict[str, str] = {}  # kept until the next apply on that stack
        self.staged: dict[str, dict[str, int]] = {}
        self.applied: dict[str, str] = {}  # stack -> what the last apply did there

    @property
    def stacks(self) -> list[str]:
        return list(self.controller.app_model.stacks)

    # -- reading and showing ----------------------------------------------------------------

    @work(exclusive=True, group="scale-read", exit_on_error=False, description="read scale")
    async def reload(self) -> None:
        self.set_status(Text("reading scale from the stacks…", style="dim"))
        outcomes = await self.controller.read_scales()
        self.scales = {name: o.value for name, o in outcomes.items()}
        self.read_errors = {
            name: o.error or "no answer" for name, o in outcomes.items() if o.value is None
        }
        self.reads += 1
        self.show()

    @property
    def errors(self) -> dict[str, str]:
        """Each stack's error to show on it: a failed read, else the last failed apply."""
        return {**self.apply_errors, **self.read_errors}

    def process_types(self) -> list[str]:
        types: set[str] = set()
        for counts in self.scales.values():
            types |= set(counts or {})
        for counts in self.staged.values():
            types |= set(counts)
        return sorted(types)

    def current(self, stack: str, process: str) -> int:
        return (self.scales.get(stack) or {}).get(process, 0)

    def wanted(self, stack: str, process: str) -> int:
        return self.staged.get(stack, {}).get(process, self.current(stack, process))

    def cell(self, stack: str, process: str) -> Text:
        counts = self.scales.get(stack)
        if counts is None:
            return Text("?", style="dim red")
        staged = self.staged.get(stack, {})
        if process in staged:
            return Text(f"{self.current(stack, process)} → {staged[process]} ✎", style="bold cyan")
        if process not in counts:
            return Text("—", style="dim")
        return Text(str(counts[process]))

    def show(self) -> None:
        table = self.table
        cursor = table.cursor_coordinate
        columns = [("Process", "process")]
        columns += [(f"✗ {stack}" if stack in self.errors else stack, stack) for stack in self.stacks]
        self.fill(columns, [
            (process, [Text(process, style="bold")] + [self.cell(s, process) for s in self.stacks])
            for process in self.process_types()
        ])
        if table.row_count:
            if cursor.column == 0:  # counts live in the stacks' columns: start on the first
                cursor = cursor.right()
            table.cursor_coordinate = table.validate_cursor_coordinate(cursor)
        self.set_status(self._summary())

    def _summary(self) -> Text:
        text = Text()
        for stack in self.stacks:
            if stack in self.errors:
                text.append(f"✗ {stack}: {self.errors[stack]}\n", style="red")
            elif stack in self.applied:
                text.append(f"✓ {stack}: {self.applied[stack]}\n", style="green")
        if self.loaded and not self.process_types() and not self.errors:
            text.append("no process types yet: deploy the app first\n", style="dim")
        changes = self.changes()
        if changes:
            count = sum(len(c) for c in changes.values())
            text.append(f"{count} staged", style="bold cyan")
            text.append("  (p: plan & apply · u: discard)", style="dim")
        text.rstrip()
        return text

    # -- changing ------------------------------------------------------------------------------

    def _cursor(self) -> tuple[str, str] | None:
        """(stack, process) under the cursor, or None on the process column or an empty table."""
        table = self.table
        if not table.row_count:
            return None
        cell = table.coordinate_to_cell_key(table.cursor_coordinate)
        stack = cell.column_key.value
        if stack == "process" or stack is None or cell.row_key.value is None:
            return None
        return stack, cell.row_key.value

    def stage(self, stack: str, process: str, count: int) -> None:
        count = validation.scale_count(process, count)
        staged = self.staged.setdefault(stack, {})
        if count == self.current(stack, process) and process in (self.scales.get(stack) or {}):
            staged.pop(process, None)
        else:
            staged[process] = count
        if not staged:
            del self.staged[stack]
        self.show()

    def action_change(self, delta: int) -> None:
        spot = self._cursor()
        if spot is None:
            self.notify("Move to a stack's column to change its count")
            return
        stack, process = spot
        if self.scales.get(stack) is None:
            self.notify(f"{stack} did not report its scale", severity="warning")
            return
        try:
            self.stage(stack, process, max(0, self.wanted(stack, process) + delta))
        except InvalidInput as error:
            self.notify(str(error), severity="error")

    @on(DataTable.CellSelected, "#scale-table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_type_count()

    def action_type_count(self) -> None:
        spot = self._cursor()
        if spot is not None:
            self._ask_count(*spot)

    def _ask_count(self, stack: str, process: str) -> None:
        from ownstack_tui.tui.screens.scale_count import ScaleCountScreen

        def counted(count: int | None) -> None:
            if count is not None:
                self.stage(stack, process, count)

        # Pushed now, not from a worker: see ConfigTab._open_editor.
        self.app.push_screen(ScaleCountScreen(stack, process, self.wanted(stack, process)),
                             counted)

    def action_discard(self) -> None:
        self.staged = {}
        self.show()

    def action_reload(self) -> None:
        self.reload()

    # -- plan and apply ----------------------------------------------------------------------

    def changes(self) -> dict[str, dict[str, int]]:
        """Per stack, the counts that differ from what it reports (only stacks with some)."""
        changes = {}
        for stack in self.stacks:
            counts = {
                process: count
                for process, count in self.staged.get(stack, {}).items()
                if count != self.current(stack, process)
                or process not in (self.scales.get(stack) or {})
            }
            if counts:
                changes[stack] = counts
        return changes

    def stops_production_web(self, changes: dict[str, dict[str, int]]) -> list[str]:
        """Production-looking stacks whose web processes these changes would all stop."""
        return [
            stack for stack, counts in changes.items()
            if counts.get(WEB) == 0 and self.current(stack, WEB) > 0
            and validation.is_production_name(stack)
        ]

    def action_plan(self) -> None:
        if not self.changes():
            self.notify("No staged scale changes: use + / - or e on a stack's count")
            return
        self.plan_and_apply()

    @work(exclusive=True, group="scale-apply", exit_on_error=False, description="scale apply")
    async def plan_and_apply(self) -> None:
        from ownstack_tui.tui.screens.plan import PlanScreen

        app_model = self.controller.app_model
        changes = self.changes()
        body = scale_plan_text(
            {
                stack: {p: (self.current(stack, p), n) for p, n in counts.items()}
                for stack, counts in changes.items()
            }
        )
        choice = await self.app.push_screen_wait(
            PlanScreen(f"Scale plan for {app_model.name}", body, can_apply=True)
        )
        if choice is None:
            return
        stopping = self.stops_production_web(changes)
        if stopping:
            from ownstack_tui.tui.screens.confirm import ConfirmScreen

            confirmed = await self.app.push_screen_wait(ConfirmScreen(
                f"Stop every web process on {', '.join(stopping)}?",
                "With web at 0 the app answers no requests there until scaled up again.",
                confirm_label="Scale web to 0",
            ))
            if not confirmed:
                self.notify("Nothing scaled")
                return
        self.set_status(Text("scaling…", style="dim"))
        results = await self.controller.set_scale(changes)
        self.applied = {}
        for stack, outcome in results.items():
            if outcome.error:
                self.apply_errors[stack] = outcome.error
            else:
                self.apply_errors.pop(stack, None)
                self.staged.pop(stack, None)
                self.applied[stack] = " ".join(f"{p}={n}" for p, n in changes[stack].items())
        failed = [stack for stack, outcome in results.items() if outcome.error]
        if failed:
            self.notify(f"Scale not applied on {', '.join(failed)}", severity="error", timeout=10)
        else:
            self.notify(f"Scaled {len(results)} stack(s)")
        self.reload()
