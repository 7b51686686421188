"""Where the program keeps its files. One seam, so tests never touch a user's own files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ownstack-tui"
FLEET_ENV = "OWNSTACK_TUI_FLEET"
# Tests (and users who want a separate profile) point every path below one folder.
HOME_ENV = "OWNSTACK_TUI_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else None


def config_dir() -> Path:
    home = _home_override()
    if home is not None:
        return home / "config"
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    home = _home_override()
    if home is not None:
        return home / "data"
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def beside_bytecode(name: str, suffix: str) -> Path:
    """``name.TAG.suffix`` (TAG: the interpreter's, as in ``.pyc`` names) in the folder of
    this package's bytecode, as ``importlib`` places it (``__pycache__``, or re-rooted under
    ``sys.pycache_prefix``): for compiled things that belong with the code, as trusted as the
    bytecode is."""
    folder = Path(__file__).resolve().parent
    prefix = sys.pycache_prefix
    target = Path(prefix) / folder.relative_to(folder.anchor) if prefix else folder / "__pycache__"
    return target / f"{name}.{sys.implementation.cache_tag}.{suffix}"


def default_fleet_path() -> Path:
    env = os.environ.get(FLEET_ENV)
    if env:
        return Path(env).expanduser()
    return config_dir() / "fleet.toml"


def known_hosts_path() -> Path:
    """Host keys accepted through ownstack-tui, checked after the user's ~/.ssh/known_hosts."""
    return data_dir() / "known_hosts"
