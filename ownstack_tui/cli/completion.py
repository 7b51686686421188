"""Shell completion (argcomplete): commands and flags from the parser, app and stack names and
tags from the fleet file.

Runs on every <Tab>, so it stays light: the fleet file is read as plain TOML and nothing
is checked, nothing contacts a stack, and textual, asyncssh and httpx are never imported.
A fleet file that cannot be read completes no names rather than printing an error.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Completer = Callable[..., list[str]]


def _fleet_table(parsed_args: argparse.Namespace | None, name: str) -> dict[str, Any]:
    from ownstack_tui.paths import default_fleet_path

    given = getattr(parsed_args, "fleet", None)
    path = Path(given).expanduser() if given else default_fleet_path()
    try:
        with path.open("rb") as handle:
            if not path.is_file():
                return {}
            text = handle.read(1 << 20).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    from ownstack_tui.toml_subset import loads_plain

    # tomllib only for a file outside the plain subset: the console's parser imports this
    # module at every start.
    data = loads_plain(text)
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}
    table = data.get(name)
    return table if isinstance(table, dict) else {}


def app_names(prefix: str, parsed_args: argparse.Namespace | None = None, **_: object) -> list[str]:
    return sorted(name for name in _fleet_table(parsed_args, "apps") if name.startswith(prefix))


def stack_names(prefix: str, parsed_args: argparse.Namespace | None = None, **_: object) -> list[str]:
    return sorted(name for name in _fleet_table(parsed_args, "stacks") if name.startswith(prefix))


def stack_selectors(prefix: str, parsed_args: argparse.Namespace | None = None, **_: object) -> list[str]:
    """For --stack and --wave: stack names and ``tag:TAG`` for the tags in use, completing the
    last term of a selector (after its comma, keeping a ``!``)."""
    head, comma, last = prefix.rpartition(",")
    bang = "!" if last.startswith("!") else ""
    stacks = _fleet_table(parsed_args, "stacks")
    words = [*stacks, *(f"tag:{tag}" for tag in _tags_in_use(stacks))]
    return sorted(f"{head}{comma}{bang}{word}" for word in words if word.startswith(last[len(bang):]))


def tag_names(prefix: str, parsed_args: argparse.Namespace | None = None, **_: object) -> list[str]:
    return [tag for tag in _tags_in_use(_fleet_table(parsed_args, "stacks")) if tag.startswith(prefix)]


def _tags_in_use(stacks: dict[str, Any]) -> list[str]:
    tags = set()
    for entry in stacks.values():
        found = entry.get("tags") if isinstance(entry, dict) else None
        tags.update(tag for tag in found or () if isinstance(tag, str))
    return sorted(tags)


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit, when this process is one."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)
