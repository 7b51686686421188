# PYTHON_ARGCOMPLETE_OK  (argcomplete's marker: this entry point completes itself)
"""The plain commands (``ownstack-tui COMMAND``) and the entry point that also opens the TUI."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ownstack_tui.errors import OwnstackError

if TYPE_CHECKING:
    from ownstack_tui.engine.polls import PollIntervals


def main(argv: list[str] | None = None, *, polls: PollIntervals | None = None) -> int:
    """``polls``: how often rollouts re-check health and held locks (None: production)."""
    from ownstack_tui import dataclass_cache, regex_cache

    dataclass_cache.install()  # before the imports that define dataclasses
    regex_cache.install()  # and compile regular expressions
    from ownstack_tui.cli.context import Context
    from ownstack_tui.cli.output import error
    from ownstack_tui.cli.parser import parse
    from ownstack_tui.paths import default_fleet_path

    try:
        args = parse(argv)
        ctx = Context(
            fleet_path=Path(args.fleet).expanduser() if args.fleet else default_fleet_path(),
            via_option=args.via,
            json=args.json,
            args=args,
        )
        if polls is not None:
            ctx.polls = polls
        module_name, _, function = args.handler.partition(":")
        handler = getattr(importlib.import_module(module_name), function)
        return int(handler(ctx, args) or 0)
    except OwnstackError as failure:
        error(str(failure))
        return failure.exit_status
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except BrokenPipeError:
        # `ownstack-tui logs | head` closed our stdout: a normal end, said nothing about.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not fail a second time on
    the closed pipe (the recipe in the docs of the signal module)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (tests capture it): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
