"""The Config tab: keys × (app level, each stack's value), staged edits, plan, apply.

Edits are staged (nothing leaves the machine) until the plan: the plan compares the fleet
with the edits against what each touched stack has; applying writes the fleet file, then
sets and unsets exactly the planned difference on every stack in parallel.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ownstack_tui.engine import config_edits
from ownstack_tui.engine.config_edits import ConfigEdit
from ownstack_tui.errors import OwnstackError
from ownstack_tui.fanout import StackOutcome
from ownstack_tui.model.config import Layer, StackConfigPlan, effective_config, layer_of
from ownstack_tui.tui.tabs.config_view import (
    APP_COLUMN,
    SEPARATOR_ROW,
    ConfigView,
    describe_edits,
)
from ownstack_tui.tui.tabs.plan_text import config_plan_text, has_changes
from ownstack_tui.tui.tabs.table_tab import TableTab

LEGEND = "◆ override  ≠ drift  ✎ staged  — not set  •••••• secret (v/V reveal)"


class ConfigTab(TableTab):
    NAME = "config"
    BINDING_GROUP_TITLE = "Config tab"
    LEGEND = LEGEND
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit value", id="config.edit"),
        Binding("a", "add", "Add key", id="config.add"),
        Binding("delete,minus", "remove", "Remove key", id="config.remove"),
        Binding("v", "reveal", "Reveal value", show=False, id="config.reveal"),
        Binding("V", "reveal_all", "Reveal all secrets", show=False, id="config.reveal_all"),
        Binding("p", "plan", "Plan & apply config", id="config.plan"),
        Binding("u", "discard", "Discard staged config", show=False, id="config.discard"),
        Binding("R", "reload", "Reload config", show=False, id="config.reload"),
    ]
    palette_tab = "config"

    def __init__(self) -> None:
        super().__init__()
        self.edits: list[ConfigEdit] = []
        self.actual: dict[str, dict[str, str] | None] = {}
        self.errors: dict[str, str] = {}
        self.revealed: set[str] = set()
        self.reveal_all = False
        self.last_result: Text | None = None

    # -- reading -------------------------------------------------------------------------

    @work(exclusive=True, group="config-read", exit_on_error=False, description="read config")
    async def reload(self) -> None:
        controller = self.controller
        self.set_status(Text("reading config from the stacks…", style="dim"))
        outcomes = await controller.read_configs()
        self.actual = {name: o.value for name, o in outcomes.items()}
        self.errors = {name: o.error or "" for name, o in outcomes.items() if o.value is None}
        view = self.view()
        controller.record_drift({name: view.drift_count(name) for name in controller.app_model.stacks})
        self.reads += 1
        self.show()

    # -- showing -------------------------------------------------------------------------

    def view(self) -> ConfigView:
        app = self.controller.app_model
        return ConfigView(
            committed=app,
            preview=config_edits.preview(app, self.edits),
            edits=self.edits,
            actual={name: self.actual.get(name) for name in app.stacks},
            revealed=self.revealed,
            reveal_all=self.reveal_all,
        )

    def show(self) -> None:
        table = self.table
        cursor = table.cursor_coordinate
        columns = [("Key", "key"), ("app level", APP_COLUMN)]
        for stack in self.controller.app_model.stacks:
            columns.append((f"✗ {stack}" if stack in self.errors else stack, stack))
        self.fill(columns, self.view().rows())
        if table.row_count:
            table.cursor_coordinate = table.validate_cursor_coordinate(cursor)
        self.set_status(self._summary())

    def _summary(self) -> Text:
        text = Text()
        for stack, error in self.errors.items():
            text.append(f"✗ {stack}: {error}\n", style="red")
        if self.edits:
            text.append(f"{len(self.edits)} staged: ", style="bold cyan")
            text.append(describe_edits(self.edits))
            text.append("  (p: plan & apply · u: discard)", style="dim")
        elif self.last_result is not None:
            text.append_text(self.last_result)
        elif self.loaded and not self.actual:
            text.append("no stacks", style="dim")
        return text

    def _cursor(self) -> tuple[str | None, str | None, bool]:
        """(key under the cursor or None, stack of the column or None for app level, valid)."""
        table = self.table
        if not table.row_count:
            return None, None, True
        coordinate = table.cursor_coordinate
        cell = table.coordinate_to_cell_key(coordinate)
        row = cell.row_key.value
        column = cell.column_key.value
        stack = None if column in ("key", APP_COLUMN) else column
        if row == SEPARATOR_ROW:
            return None, stack, False
        return row, stack, True

    # -- editing -------------------------------------------------------------------------

    @on(DataTable.CellSelected, "#config-table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_edit()

    def action_add(self) -> None:
        _key, stack, _ok = self._cursor()
        self._open_editor(stack, "", "")

    def action_edit(self) -> None:
        key, stack, ok = self._cursor()
        if not ok or key is None:
            self.action_add()
            return
        preview = config_edits.preview(self.controller.app_model, self.edits)
        if stack is None:
            value = preview.config.get(key, "")
        else:
            on_stack = self.actual.get(stack) or {}
            value = effective_config(preview, stack).get(key, on_stack.get(key, ""))
        self._open_editor(stack, key, value)

    def _open_editor(self, stack: str | None, key: str, value: str) -> None:
        # Imported when first needed: the form's TextArea is a heavy import.
        from ownstack_tui.tui.screens.config_edit import ConfigEditScreen

        # Pushed now, not from a worker: the keys typed after this one in the same burst
        # then find the form (see Dialog.deliver), not the table's bindings.
        self.app.push_screen(ConfigEditScreen(stack, key, value), self._edited)

    def _edited(self, edit: ConfigEdit | None) -> None:
        if edit is not None:
            self.stage(edit)

    def stage(self, edit: ConfigEdit) -> None:
        """Stage one edit (checked again here: the form is not the only caller)."""
        self.edits = config_edits.stage(self.edits, edit)
        self.last_result = None
        self.show()

    def action_remove(self) -> None:
        key, stack, ok = self._cursor()
        if not ok or key is None:
            return
        preview = config_edits.preview(self.controller.app_model, self.edits)
        view = self.view()
        if stack is None:
            if key not in preview.config:
                self.notify(f"{key} is not set at the app level", severity="warning")
                return
        elif layer_of(preview, stack, key) is Layer.APP:
            self.notify(
                f"{key} on {stack} comes from the app level: remove it there, "
                "or edit it here to override it",
                severity="warning",
            )
            return
        elif layer_of(preview, stack, key) is None and not view.is_unmanaged_on(key, stack):
            self.notify(f"{key} is not set on {stack}", severity="warning")
            return
        try:
            self.stage(ConfigEdit(key, None, stack))
        except OwnstackError as error:
            self.notify(str(error), severity="error")

    def action_reveal(self) -> None:
        key, _stack, ok = self._cursor()
        if ok and key is not None:
            self.revealed ^= {key}
            self.show()

    def action_reveal_all(self) -> None:
        self.reveal_all = not self.reveal_all
        self.show()

    def action_discard(self) -> None:
        self.edits = []
        self.show()

    def action_reload(self) -> None:
        self.reload()

    # -- plan and apply ------------------------------------------------------------------

    def action_plan(self) -> None:
        """Plan the staged edits; with none staged, plan bringing every stack to what the
        fleet wants (repairs drift, like ``ownstack-tui config:apply``)."""
        self.plan_and_apply()

    @work(exclusive=True, group="config-apply", exit_on_error=False, description="config plan")
    async def plan_and_apply(self) -> None:
        from ownstack_tui.tui.screens.plan import PlanChoice, PlanScreen

        controller = self.controller
        edits = list(self.edits)
        committed = controller.app_model
        preview = config_edits.preview(committed, edits)
        stacks = config_edits.touched_stacks(committed, edits) if edits else list(committed.stacks)
        self.set_status(Text("planning…", style="dim"))
        plans = await controller.plan_config(
            preview, stacks, config_edits.removed_keys(committed, edits)
        )
        view = self.view()
        body = config_plan_text(plans, view.shown)
        ready = {name: o.value for name, o in plans.items() if o.value is not None}
        what = "staged changes" if edits else "the fleet's config (no staged changes)"
        choice = await self.app.push_screen_wait(
            PlanScreen(
                f"Config plan for {committed.name}, {what}: {len(stacks)} stack(s)",
                body,
                can_apply=bool(edits) or has_changes(plans),
                no_restart=has_changes(plans),
            )
        )
        if choice is None:
            self.show()
            return
        if edits:
            self.set_status(Text("writing the fleet file…", style="dim"))
            try:
                await controller.write_config_edits(edits)
            except OwnstackError as error:
                self.notify(str(error), severity="error", timeout=15, markup=False)
                self.show()
                return
        self.edits = []
        self.set_status(Text("applying…", style="dim"))
        restart = choice is PlanChoice.APPLY
        results = await controller.apply_config(ready, restart=restart)
        self.last_result = self._results(plans, ready, results, restart)
        failed = [name for name, o in results.items() if o.error] + [
            name for name, o in plans.items() if o.value is None
        ]
        if failed:
            self.notify(f"Config not applied on {', '.join(failed)}", severity="error", timeout=10)
        else:
            self.notify(f"Config applied to {len(ready)} stack(s)")
        self.reload()

    @staticmethod
    def _results(
        plans: dict[str, StackOutcome[StackConfigPlan]],
        ready: dict[str, StackConfigPlan],
        results: dict[str, StackOutcome[list[str]]],
        restart: bool,
    ) -> Text:
        text = Text()
        for name, plan_outcome in plans.items():
            outcome = results.get(name)
            error = plan_outcome.error or (outcome.error if outcome else None)
            if error:
                text.append(f"✗ {name}: {error}\n", style="red")
                continue
            plan = ready[name]
            changes = [f"+{k}" for k in sorted(plan.to_add)]
            changes += [f"~{k}" for k in sorted(plan.to_change)]
            changes += [f"-{k}" for k in sorted(plan.to_unset)]
            if not changes:
                text.append(f"✓ {name}: already up to date\n", style="green")
            else:
                tail = "" if restart else " (no restart)"
                text.append(f"✓ {name}: {' '.join(changes)}{tail}\n", style="green")
        text.rstrip()
        return text
