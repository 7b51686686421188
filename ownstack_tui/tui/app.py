"""The Textual application: the engine, the Console that owns what is shown, the screens."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ownstack_tui import clock as wall_clock
from ownstack_tui.engine.engine import Engine
from ownstack_tui.model.fleet import App as AppModel
from ownstack_tui.model.fleet import Fleet
from ownstack_tui.tui.commands import ScreenActions
from ownstack_tui.tui.console import Console
from ownstack_tui.tui.styles_path import stylesheet

if TYPE_CHECKING:
    from ownstack_tui.tui.screens.dialog import KeysBehindCaughtUp

ANIMATIONS_VARIABLE = "TEXTUAL_ANIMATIONS"  # Textual's own setting, honoured when set


class OwnstackApp(App[str | None]):
    TITLE = "ownstack-tui"
    BINDING_GROUP_TITLE = "Everywhere"
    CSS_PATH: ClassVar = [stylesheet("app.tcss")]
    COMMANDS: ClassVar = App.COMMANDS | {ScreenActions}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        fleet_path: Path,
        fleet: Fleet,
        app_model: AppModel,
        engine: Engine,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        from ownstack_tui.tui import css_cache

        css_cache.install(self.stylesheet)  # before the first parse, in App.run
        if ANIMATIONS_VARIABLE not in os.environ:
            # Over SSH at 2 a.m. a sliding tab underline or a smooth scroll tells nothing, and
            # each is ~10 extra frames per key, every one also drawing what streams meanwhile
            # (issue 14: a tab key drew 20 frames, 5 without). TEXTUAL_ANIMATIONS=full restores.
            self.animation_level = "none"
        self.fleet_path = fleet_path
        self.engine = engine
        # Looked up at each call, so tests can freeze ownstack_tui.clock.now.
        self.clock = clock or (lambda: wall_clock.now())
        self.controller = Console(self, fleet_path, fleet, app_model, engine, self.clock)

    @property
    def fleet(self) -> Fleet:
        return self.controller.fleet

    @property
    def app_model(self) -> AppModel:
        return self.controller.app_model

    @property
    def fleet_label(self) -> str:
        home = str(Path.home())
        text = str(self.fleet_path)
        return "~" + text[len(home):] if text.startswith(home + "/") else text

    async def on_event(self, event: events.Event) -> None:
        # While a dialog comes up, keys wait for it (tui/typeahead.py): those arriving now, and
        # those typed for the screen behind coming back up unhandled. The latter must not reach
        # Textual's binding check either: it would run the dialog's bindings before the dialog
        # could be read, out of order.
        if isinstance(event, events.Key):
            from ownstack_tui.tui.screens.dialog import Dialog

            screen = self.screen
            if isinstance(screen, Dialog):
                typeahead = screen.typeahead
                if event.is_forwarded:
                    if typeahead.awaiting_behind:
                        typeahead.typed_behind(event.key, event.character)
                        return
                elif not typeahead.admit(event):
                    return
        await super().on_event(event)

    def on_keys_behind_caught_up(self, message: KeysBehindCaughtUp) -> None:
        from ownstack_tui.tui.typeahead import Awaited

        message.dialog.typeahead.ready(Awaited.BEHIND)

    def action_help(self) -> None:
        """The keys that work on the current screen, remapped ones as remapped."""
        from ownstack_tui.tui.help import help_sections
        from ownstack_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(help_sections(self.screen, self)))

    def get_default_screen(self) -> Screen:
        # The main screen is the first screen: no blank screen composed and rendered first.
        from ownstack_tui.tui.screens.main_screen import MainScreen

        return MainScreen()

    def on_load(self) -> None:
        if self.fleet.keys:
            self.set_keymap(dict(self.fleet.keys))

    @property
    def keymap(self) -> Mapping[str, str]:
        """The user's remapped keys (binding id -> keys), as the palette and help show them."""
        return self.fleet.keys

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure is handled: the App's own workers (the Console's)
        and those forwarded by widgets (ForwardsWorkerErrors)."""
        if event.state is WorkerState.ERROR:
            self.controller.report_failure(event.worker)

    def on_app_focus(self, _event: events.AppFocus) -> None:
        """Back in the terminal: what the stacks say may have changed meanwhile."""
        self.controller.refresh()

    async def on_unmount(self) -> None:
        await self.controller.close()


class WelcomeApp(App[str | None]):
    """No fleet yet: explain, and offer the demo."""

    TITLE = "ownstack-tui"
    CSS_PATH: ClassVar = [stylesheet("app.tcss")]

    def __init__(self, fleet_path: Path) -> None:
        super().__init__()
        self.fleet_path = fleet_path

    def on_mount(self) -> None:
        from ownstack_tui.tui.screens.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen(str(self.fleet_path)))
