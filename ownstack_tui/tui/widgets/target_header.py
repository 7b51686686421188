"""The header that always says where actions go: app, fleet file, via ssh|api, target;
and, while a deploy runs, how many of its stacks are done."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TargetHeader(Static):
    DEFAULT_CSS = """
    TargetHeader {
        dock: top;
        height: 1;
        background: $primary-background;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(
        self, app_name: str, fleet_path: str, via: str, target: str, credential: str | None = None
    ) -> None:
        super().__init__(id="target-header")
        self.app_name = app_name
        self.fleet_path = fleet_path
        self.via = via
        self.target = target
        self.credential = credential
        self.progress: tuple[int, int] | None = None  # (done, total) of the running deploy

    def on_mount(self) -> None:
        self.update(self.describe())

    def show_progress(self, done: int | None, total: int = 0) -> None:
        """While a run is going: "N of M done"; None when it ended."""
        self.progress = None if done is None else (done, total)
        self.update(self.describe(self.content_size.width))

    def on_resize(self) -> None:
        self.update(self.describe(self.content_size.width))

    def describe(self, width: int | None = None) -> Text:
        """The header for ``width`` cells: a fleet path that does not fit gives way to its
        file name (which fleet is open matters more than where it lives)."""
        text = self._describe(self.fleet_path)
        if width is not None and text.cell_len > width:
            text = self._describe(fit_path(self.fleet_path, width - text.cell_len
                                           + len(self.fleet_path)))
        return text

    def _describe(self, fleet_path: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("ownstack ", style="bold")
        text.append("app ", style="dim")
        text.append(self.app_name, style="bold")
        text.append("  via ", style="dim")
        text.append(self.via, style="bold reverse" if self.via == "api" else "bold")
        text.append("  → ", style="dim")
        text.append(self.target, style="bold")
        if self.progress is not None:
            done, total = self.progress
            text.append(f"  deploy {done} of {total} done", style="bold yellow")
        if self.credential:
            text.append("  token ", style="dim")
            text.append(self.credential)
        text.append("  fleet ", style="dim")
        text.append(fleet_path)
        return text


def fit_path(path: str, room: int) -> str:
    """``path`` in ``room`` cells: whole, else "…/" and as much of its end as fits; a file
    name that does not fit either keeps its start (what tells fleets apart) and an ellipsis."""
    if len(path) <= room:
        return path
    name = path.rsplit("/", 1)[-1]
    if len(name) + 2 <= room:
        return "…/" + path[len(path) - room + 2:].split("/", 1)[-1]
    return name[: max(1, room - 1)] + "…"
