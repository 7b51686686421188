"""The Deploy tab's grid: one live log pane per target stack, all streaming at once (shown by
:class:`DeployView` while every pane fits).

It shows what it is given; it subscribes to nothing itself."""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import Grid

from ownstack_tui.tui.widgets.deploy_looks import STATUS_CLASSES, PaneLook
from ownstack_tui.tui.widgets.log_pane import LogPane
from ownstack_tui.tui.widgets.pane_grid import shape_grid

PANE_MIN_WIDTH = 48
PANE_MIN_HEIGHT = 5  # a border and three lines: fewer rows than this, and the table is shown


class DeployGrid(Grid):
    DEFAULT_CSS = """
    DeployGrid {
        grid-gutter: 0 1;
        height: 1fr;
    }
    DeployGrid LogPane.-failed { border: heavy $error; border-title-color: $error; }
    DeployGrid LogPane.-failed:focus { border: heavy $error-lighten-2; }
    DeployGrid LogPane.-succeeded { border-title-color: $success; }
    DeployGrid LogPane.-cancelled { border-title-color: $warning; }
    DeployGrid LogPane.-skipped { border-title-color: $text-muted; }
    DeployGrid LogPane.-rollback { border-title-color: $secondary; }
    """

    def __init__(self, stacks: Sequence[str]) -> None:
        super().__init__(id="deploy-grid")
        self.stacks = list(stacks)

    def compose(self):  # type: ignore[override]
        for name in self.stacks:
            yield LogPane(id=f"pane-{name}", title=f"{name} · idle")

    def on_resize(self) -> None:
        self._layout_columns()

    def on_mount(self) -> None:
        self._layout_columns()

    def _layout_columns(self) -> None:
        shape_grid(self, len(self.stacks), PANE_MIN_WIDTH)

    def pane(self, stack: str) -> LogPane:
        return self.query_one(f"#pane-{stack}", LogPane)


LOOK_CLASSES = frozenset({*STATUS_CLASSES.values(), "-rollback"})


def apply_look(pane: LogPane, look: PaneLook) -> None:
    pane.set_title(look.title, look.subtitle)
    # Only what changed: removing and re-adding a class restyles the pane twice, and titles
    # are applied every second to every pane.
    current = {name for name in LOOK_CLASSES if pane.has_class(name)}
    wanted = set(look.classes)
    if current != wanted:
        pane.remove_class(*(current - wanted))
        pane.add_class(*(wanted - current))
