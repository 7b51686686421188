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
        self.update(self.describe())

    def describe(self) -> Text:
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
        text.append(self.fleet_path)
        return text
