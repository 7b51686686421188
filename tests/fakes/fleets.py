"""Fleet files for the fake backend's stacks: the same three stacks the sandbox serves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.config import effective_config
from tests.fakes.fake_backend import FakeBackend

STACKS = ("staging", "prod-east", "prod-west")
# Ports nothing listens on: the fake never opens them, and they show in the header the same
# way every run.
FIRST_PORT = 2201


def write_fake_fleet(
    path: Path,
    app: str,
    repo: Path,
    needs_postgres: bool = True,
    stacks: tuple[str, ...] = STACKS,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """A fleet file with ``app`` (deployed from ``repo``'s main) on every stack (``tags``: a
    stack's tags)."""
    fleet_file = FleetFile.load_or_new(path)
    for index, name in enumerate(stacks):
        fleet_file.add_stack(name, "127.0.0.1", FIRST_PORT + index, tags=(tags or {}).get(name, ()))
    fleet_file.add_app(app, str(repo), "main", needs_postgres, list(stacks))
    fleet_file.save()
    return path


def set_fleet_config(
    path: Path,
    app: str,
    config: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """App-level ``config`` and per-stack ``overrides`` written into the fleet file."""
    fleet_file = FleetFile.load(path)
    if config:
        fleet_file.set_config(app, None, dict(config))
    for stack, values in (overrides or {}).items():
        fleet_file.set_config(app, stack, dict(values))
    fleet_file.save()


def create_on_stacks(
    fake: FakeBackend,
    path: Path,
    app: str,
    extra_on_stack: Mapping[str, Mapping[str, str]] | None = None,
    scale: Mapping[str, int] | None = None,
) -> None:
    """Make every stack hold ``app`` with the config the fleet wants (plus ``extra_on_stack``)
    and ``scale``, as if set there by hand: no deploy."""
    model = FleetFile.load(path).fleet.app(app)
    for name in model.stacks:
        values = {**effective_config(model, name), **(extra_on_stack or {}).get(name, {})}
        fake.stack(name).create_app(app, config=values, scale=dict(scale or {}))
