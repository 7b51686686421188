"""A console whose app already exists on the three sandbox stacks, with config and scale set
straight on the stacks (no deploy needed), for the Config and Scale tabs' tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.config import effective_config
from ownstack_tui.tui.app import OwnstackApp
from tests.integration.conftest import write_sandbox_fleet
from tests.tui.conftest import build_console

STACKS = ("staging", "prod-east", "prod-west")

ConsoleMaker = Callable[..., OwnstackApp]


def prepare_app(
    path: Path,
    sandbox: Any,
    app: str,
    repo: Path,
    config: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    extra_on_stack: Mapping[str, Mapping[str, str]] | None = None,
    scale: Mapping[str, int] | None = None,
) -> Path:
    """Write a fleet for ``app`` and make each stack hold what the fleet wants (plus extras)."""
    write_sandbox_fleet(path, sandbox, app, repo, needs_postgres=False)
    fleet_file = FleetFile.load(path)
    if config:
        fleet_file.set_config(app, None, dict(config))
    for stack, values in (overrides or {}).items():
        fleet_file.set_config(app, stack, dict(values))
    fleet_file.save()
    model = fleet_file.fleet.app(app)
    for stack in sandbox:
        stack.dokku_sync("apps:create", app)
        values = {**effective_config(model, stack.name), **(extra_on_stack or {}).get(stack.name, {})}
        if values:
            pairs = [f"{key}={value}" for key, value in values.items()]
            result = stack.dokku_sync("config:set", "--no-restart", app, *pairs)
            assert result.exit_status == 0, result
        if scale:
            pairs = [f"{process}={count}" for process, count in scale.items()]
            assert stack.dokku_sync("ps:scale", app, *pairs).exit_status == 0
    return path


@pytest.fixture
def tab_console(trusted_sandbox: Any, demo_repo: Path, clean_faults: None) -> ConsoleMaker:
    """tab_console(app, config=..., overrides=..., extra_on_stack=..., scale=...)."""

    def make(app: str, **kwargs: Any) -> OwnstackApp:
        path = prepare_app(Path.home() / f"{app}-fleet.toml", trusted_sandbox, app, demo_repo,
                           **kwargs)
        return build_console(path)

    return make


def on_stack(sandbox: Any, stack: str, app: str) -> dict[str, str]:
    """The app's config as the stack holds it (read without SSH, for assertions)."""
    import json

    result = sandbox[stack].dokku_sync("config:export", "--format", "json", app)
    assert result.exit_status == 0, result
    return json.loads(result.stdout)
