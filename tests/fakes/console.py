"""The console on the FakeBackend, built the way `ownstack-tui` builds it (cli/tui_command.py:
fleet file → Fleet → Engine → OwnstackApp), for Pilot tests and snapshots.

Fixtures (registered in tests/tui/conftest.py):

- ``fake``: the FakeBackend of the test; ``fake.stack("prod-east")`` reads and breaks a stack.
- ``console_for(app, **fleet)``: a console for an app that is on no stack yet.
- ``tab_console(app, config=, overrides=, extra_on_stack=, scale=)``: a console for an app
  that already exists on every stack, holding the fleet's config (plus ``extra_on_stack``)
  and ``scale``, as set there by hand (no deploy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.backends.base import Backend
from ownstack_tui.engine.engine import Engine
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.tui.app import OwnstackApp
from tests.fakes.fake_backend import FakeBackend
from tests.fakes.fleets import create_on_stacks, set_fleet_config, write_fake_fleet
from tests.fixtures.polls import FAST_POLLS

ConsoleMaker = Callable[..., OwnstackApp]


def build_console(fleet_path: Path, backend: Backend, app: str | None = None) -> OwnstackApp:
    fleet = FleetFile.load(fleet_path).fleet
    return OwnstackApp(fleet_path, fleet, fleet.app(app), Engine(fleet, backend, polls=FAST_POLLS))


def fake_console(
    fake: FakeBackend,
    repo: Path,
    app: str,
    *,
    on_stacks: bool = False,
    needs_postgres: bool = True,
    config: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    extra_on_stack: Mapping[str, Mapping[str, str]] | None = None,
    scale: Mapping[str, int] | None = None,
    fleet_path: Path | None = None,
) -> OwnstackApp:
    """A fleet file for ``app`` under the home folder and a console for it on ``fake``."""
    path = fleet_path or Path.home() / f"{app}-fleet.toml"
    write_fake_fleet(path, app, repo, needs_postgres=needs_postgres)
    set_fleet_config(path, app, config, overrides)
    if on_stacks:
        create_on_stacks(fake, path, app, extra_on_stack, scale)
    return build_console(path, fake)


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def console_for(fake: FakeBackend, demo_repo: Path) -> ConsoleMaker:
    """console_for(app): a console for a new app on staging, prod-east and prod-west."""

    def make(app: str, **options: Any) -> OwnstackApp:
        return fake_console(fake, demo_repo, app, **options)

    return make


@pytest.fixture
def tab_console(fake: FakeBackend, demo_repo: Path) -> ConsoleMaker:
    """tab_console(app, config=..., overrides=..., extra_on_stack=..., scale=...)."""

    def make(app: str, **options: Any) -> OwnstackApp:
        return fake_console(fake, demo_repo, app, on_stacks=True, needs_postgres=False, **options)

    return make
