"""The plain commands (``ownstack-tui COMMAND``) and the entry point that also opens the TUI."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from ownstack_tui.errors import OwnstackError


def main(argv: list[str] | None = None) -> int:
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
        # `ownstack-tui app list | head` is fine; say nothing.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
