"""The fixed command line (shared/DESIGN.md). Handlers are named by dotted path and imported
only when their command runs, so a plain command never imports textual or asyncssh early."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from ownstack_tui.errors import InvalidInput


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2 (argparse prints a block)."""

    def error(self, message: str) -> NoReturn:
        raise InvalidInput(f"{message} (see '{self.prog} --help')")


def _globals(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """--fleet, --via and --json, accepted before or after the subcommand."""
    suppress = None if defaults else argparse.SUPPRESS
    parser.add_argument("--fleet", metavar="PATH", default=suppress, help="the fleet file")
    parser.add_argument(
        "--via", choices=("ssh", "api"), default=suppress, help="drive dokku over SSH or the API"
    )
    parser.add_argument(
        "--json", action="store_true", default=suppress if not defaults else False,
        help="machine-readable output",
    )
    parser.add_argument(
        "--accept-new-host-key", action="store_true",
        default=suppress if not defaults else False,
        help="trust and remember SSH host keys seen for the first time",
    )


def _command(
    subparsers: argparse._SubParsersAction, name: str, handler: str, help_text: str
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    _globals(parser, defaults=False)
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="ownstack-tui",
        description="A terminal console for one app on many dokku hosts. "
        "With no command it opens the full-screen console.",
    )
    _globals(parser, defaults=True)
    parser.set_defaults(handler="ownstack_tui.cli.tui_command:run")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=ArgumentParser)

    demo = _command(commands, "demo", "ownstack_tui.cli.tui_command:demo",
                    "local sandbox stacks and the console on them")
    demo.add_argument("--stacks", type=int, default=3, metavar="N")

    stacks = _command(commands, "stacks", "ownstack_tui.cli.status_commands:stacks",
                      "list stacks (name, host, reachability)")
    stacks.add_argument("--offline", action="store_true", help="do not contact the stacks")

    add = _command(commands, "stack:add", "ownstack_tui.cli.fleet_commands:stack_add",
                   "add a stack (a dokku host) to the fleet")
    add.add_argument("name")
    add.add_argument("--host", required=True)
    add.add_argument("--port", default=22)
    add.add_argument("--user", default="dokku")
    add.add_argument("--identity", metavar="FILE")

    remove = _command(commands, "stack:remove", "ownstack_tui.cli.fleet_commands:stack_remove",
                      "remove a stack from the fleet (nothing on the host changes)")
    remove.add_argument("name")

    _app_commands(commands)
    return parser


def _app_commands(commands: argparse._SubParsersAction) -> None:
    app = commands.add_parser("app", help="apps and their target stacks")
    _globals(app, defaults=False)
    verbs = app.add_subparsers(title="app commands", metavar="VERB", parser_class=ArgumentParser)
    verbs.required = True

    _command(verbs, "list", "ownstack_tui.cli.fleet_commands:app_list", "list the fleet's apps")

    create = _command(verbs, "create", "ownstack_tui.cli.fleet_commands:app_create",
                      "add an app to the fleet")
    create.add_argument("app")
    create.add_argument("--repo", required=True, metavar="PATH")
    create.add_argument("--branch", default="main")
    create.add_argument("--no-postgres", action="store_true")
    create.add_argument("--stack", action="append", metavar="NAME", help="a target stack")

    stacks = _command(verbs, "stacks", "ownstack_tui.cli.fleet_commands:app_stacks",
                      "the app's target stacks")
    stacks.add_argument("app")
    add = _command(verbs, "stacks:add", "ownstack_tui.cli.fleet_commands:app_stacks_add",
                   "make a stack a target of the app")
    add.add_argument("app")
    add.add_argument("stack")
    remove = _command(verbs, "stacks:remove", "ownstack_tui.cli.fleet_commands:app_stacks_remove",
                      "stop deploying the app to a stack (its dokku app stays there)")
    remove.add_argument("app")
    remove.add_argument("stack")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args
