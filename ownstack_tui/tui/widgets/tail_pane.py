"""One stack's runtime log tail: a LogPane that runs its own follow worker.

The worker lives on the pane, so removing the pane cancels the tail (and the engine's stream
closes its channel). A dropped connection shows a gap marker and the tail resumes; while
paused, lines are held (bounded) and shown on resume.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from ownstack_tui.engine.log_tail import TailEvent, TailEventKind
from ownstack_tui.tui.console import ForwardsWorkerErrors
from ownstack_tui.tui.messages import WorkFailed
from ownstack_tui.tui.widgets.log_pane import LogPane

if TYPE_CHECKING:
    from ownstack_tui.tui.app import OwnstackApp
    from ownstack_tui.tui.console import Console

GAP_STYLE = "\x1b[1;33m"
END_STYLE = "\x1b[1;31m"
RESET = "\x1b[0m"

LinesSink = Callable[[str, list[str]], None]


class TailState(Enum):
    """Where a tail is; the value is what its pane title says."""

    CONNECTING = "connecting"
    FOLLOWING = "following"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"  # refused or failed: R starts it again
    ENDED = "ended"  # the stream closed

    @property
    def is_over(self) -> bool:
        return self in (TailState.STOPPED, TailState.ENDED)

# docker's RFC 3339 nanosecond stamp, after dokku's optional colour code.
_DOCKER_STAMP = re.compile(r"^((?:\x1b\[[0-9;]*m)?)\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)(?:\.\d+)?Z ")


def short_stamp(line: str) -> str:
    """"2026-11-30T09:43:22.641378304Z app[web.1]: …" → "09:43:22 app[web.1]: …": the date
    and nanoseconds took half a side-by-side pane."""
    return _DOCKER_STAMP.sub(r"\1\2 ", line, count=1)


def marker(text: str, style: str = GAP_STYLE) -> str:
    """A marker line in the log itself, so a filter or a copy keeps it in place."""
    return f"{style}┄┄ {text} ┄┄{RESET}"


class TailPane(ForwardsWorkerErrors, LogPane):
    DEFAULT_CSS = """
    TailPane.-gap { border: round $warning; }
    TailPane.-stopped { border-title-color: $error; }
    """

    def __init__(
        self,
        stack: str,
        *,
        backlog: int = 100,
        forward: LinesSink | None = None,
        first_retry_delay: float = 0.5,
    ) -> None:
        super().__init__(id=f"tail-{stack}", title=stack)
        self.stack = stack
        self.backlog = backlog
        self.forward = forward
        self.first_retry_delay = first_retry_delay
        self.paused = False
        self.held: list[str] = []
        self.state = TailState.CONNECTING
        self.gaps = 0
        self.received = 0
        self.reason = ""  # why the tail stopped, shown under the pane

    @property
    def controller(self) -> Console:
        app: OwnstackApp = self.app  # type: ignore[assignment]
        return app.controller

    def on_mount(self) -> None:
        # LogPane's own on_mount runs too: Textual calls the handler of every class.
        self._show_state()
        self.run_worker(
            self._follow(),
            group="tail",
            exclusive=True,
            exit_on_error=False,
            name=f"tail {self.stack}",
            description=f"logs -t on {self.stack}",
        )

    async def _follow(self) -> None:
        events = self.controller.follow_logs(
            self.stack, backlog=self.backlog, first_delay=self.first_retry_delay
        )
        async for event in events:
            self._on_event(event)

    def on_work_failed(self, message: WorkFailed) -> None:
        """The tail's worker raised (already notified): the pane says it stopped, and why."""
        self.reason = message.error
        self._set_state(TailState.STOPPED)

    def _on_event(self, event: TailEvent) -> None:
        kind = event.kind
        if kind is TailEventKind.LINE:
            if self.state is not TailState.FOLLOWING:
                self._set_state(TailState.FOLLOWING)
            self.received += 1
            self._deliver([short_stamp(event.text)])
            return
        now = time.strftime("%H:%M:%S", time.localtime(self.controller.clock()))
        if kind is TailEventKind.GAP:
            self.gaps += 1
            self._deliver([marker(f"{now} connection lost ({event.text}); reconnecting…")])
            self._set_state(TailState.RECONNECTING)
        elif kind is TailEventKind.RESUMED:
            self._deliver([marker(f"{now} reconnected: lines sent during the gap are missing")])
            self._set_state(TailState.FOLLOWING)
        else:
            self._deliver([marker(f"{now} {event.text}", END_STYLE)])
            self.reason = event.text
            self._set_state(TailState.STOPPED if kind is TailEventKind.FAILED else TailState.ENDED)

    def _deliver(self, lines: list[str]) -> None:
        if self.paused:
            self.held.extend(lines)
            if len(self.held) > self.max_lines:
                del self.held[: -self.max_lines]
            self._show_state()
            return
        self.append(lines)
        if self.forward is not None:
            self.forward(self.stack, lines)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused and self.held:
            held, self.held = self.held, []
            self._deliver(held)
        self._show_state()

    def _set_state(self, state: TailState) -> None:
        self.state = state
        self.set_class(state is TailState.RECONNECTING, "-gap")
        self.set_class(state is TailState.STOPPED, "-stopped")
        self._show_state()

    def _show_state(self) -> None:
        parts = [self.stack, self.state.value]
        if self.paused:
            parts.append(f"paused · {len(self.held):,} held")
        if self.gaps:
            parts.append(f"{self.gaps} gap{'s' if self.gaps != 1 else ''}")
        reason = f"{self.reason} · R: retry" if self.state.is_over else ""
        self.set_title(" · ".join(parts), reason)
