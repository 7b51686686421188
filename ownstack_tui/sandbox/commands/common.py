"""What every command handler shares: its context, app checks and Go-style flag parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ownstack_tui.sandbox.console import Console, DokkuFail, Sink
from ownstack_tui.sandbox.state import StackState

NEW_APP_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
EXISTING_APP_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
CONFIG_KEY_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
APP_NAME_RULE = (
    "App name must begin with lowercase alphanumeric character, and may only contain "
    "lowercase alphanumerics, dots, and hyphens"
)


@dataclass
class Ctx:
    """One command run: the stack's state, the output, and dokku's global flags."""

    state: StackState
    console: Console
    sink: Sink
    force: bool = False
    global_flags: list[str] = field(default_factory=list)

    @property
    def faults(self):  # type: ignore[no-untyped-def]
        return self.console.faults


def verify_app(ctx: Ctx, app: str | None) -> str:
    """Go plugins' check: empty, bad name (exit 1), missing (exit 20)."""
    if not app:
        raise DokkuFail("Please specify an app to run the command on")
    if not EXISTING_APP_RE.match(app):
        raise DokkuFail(APP_NAME_RULE)
    if not ctx.state.app_exists(app):
        raise DokkuFail(f"App {app} does not exist", 20)
    return app


def verify_app_bash(ctx: Ctx, app: str | None) -> str:
    """Bash plugins' check: a bad name is just an app that does not exist (exit 20)."""
    if not app:
        raise DokkuFail("Please specify an app to run the command on")
    if not EXISTING_APP_RE.match(app) or not ctx.state.app_exists(app):
        raise DokkuFail(f"App {app} does not exist", 20)
    return app


class FlagError(Exception):
    """pflag's parse failure: dokku's Go subcommands exit 2."""


def parse_flags(
    command: str,
    args: list[str],
    booleans: set[str] | frozenset[str] = frozenset(),
    values: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, str], list[str]]:
    """pflag-style parsing: flags anywhere, ``--f v`` and ``--f=v``, ``--`` ends flags."""
    flags: dict[str, str] = {}
    positional: list[str] = []

    def fail(message: str) -> FlagError:
        return FlagError(message + "\n" + flag_usage(command, set(booleans), set(values)))

    index = 0
    while index < len(args):
        word = args[index]
        index += 1
        if word == "--":
            positional.extend(args[index:])
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word[2:].partition("=")
            if name in booleans:
                flags[name] = value if eq else "true"
            elif name in values:
                if not eq:
                    if index >= len(args):
                        raise fail(f"flag needs an argument: --{name}")
                    value = args[index]
                    index += 1
                flags[name] = value
            else:
                raise fail(f"unknown flag: --{name}")
        elif word.startswith("-") and len(word) > 1:
            raise fail(f"unknown shorthand flag: '{word[1]}' in {word}")
        else:
            positional.append(word)
    return flags, positional


def flag_usage(command: str, booleans: set[str], values: set[str]) -> str:
    lines = [f"Usage of {command}:"]
    for name in sorted(booleans | values):
        kind = " string" if name in values else ""
        lines.append(f"      --{name}{kind}")
    return "\n".join(lines) + "\n"
