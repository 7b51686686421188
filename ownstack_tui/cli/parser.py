"""The fixed command line (shared/DESIGN.md). Handlers are named by dotted path and imported
only when their command runs, so a plain command never imports textual or asyncssh early."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from ownstack_tui.cli.completion import app_names, complete, stack_names, stack_selectors, tag_names
from ownstack_tui.errors import InvalidInput


def _given(text: str) -> str:
    """Every word the user gives must say something: an empty one is refused, never taken
    as "not given" (``deploy ''`` must not deploy the only app everywhere)."""
    if text == "":
        raise argparse.ArgumentTypeError("is empty; give a value, or leave it out")
    return text


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2 (argparse prints a block),
    and no argument may be an empty string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The type of every argument that names none (argument groups share this registry).
        self.register("type", None, _given)

    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction:
        action = super().add_subparsers(**kwargs)
        action.type = str  # the words after a command are its own parser's to check
        return action

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


class _Version(argparse.Action):
    """--version, reading the installed version only when asked (not on every start)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=kwargs.get("help"))

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from importlib.metadata import version

        sys.stdout.write(f"{parser.prog} {version('ownstack-tui')}\n")
        parser.exit()


def _app_option(parser: argparse.ArgumentParser, *names: str, **kwargs: object) -> None:
    parser.add_argument(*(names or ("--app",)), **kwargs).completer = app_names  # type: ignore[attr-defined]


SELECTOR_HELP = (
    "stacks by name, tag:TAG or name pattern (prod-*); !TERM takes out, commas combine "
    "(repeat for several)"
)


def _stack_option(parser: argparse.ArgumentParser, *names: str, **kwargs: object) -> None:
    """A stack argument. An option (--stack) takes selectors, every one of them the same way
    (model/selectors.py); a positional argument names one stack of the fleet file."""
    names = names or ("--stack",)
    completer = stack_names
    if names[0].startswith("-"):
        kwargs = {"action": "append", "metavar": "SELECTOR", "help": SELECTOR_HELP, **kwargs}
        completer = stack_selectors
    parser.add_argument(*names, **kwargs).completer = completer  # type: ignore[attr-defined]


def _command(
    subparsers: argparse._SubParsersAction, name: str, handler: str, help_text: str
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    _globals(parser, defaults=False)
    parser.set_defaults(handler=handler)
    return parser


def _console_parser(**kwargs: Any) -> ArgumentParser:
    """The options of the plain ``ownstack-tui`` (the console), without the commands."""
    parser = ArgumentParser(
        prog="ownstack-tui",
        description="A terminal console for one app on many dokku hosts. "
        "With no command it opens the full-screen console.",
        **kwargs,
    )
    _globals(parser, defaults=True)
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    _app_option(parser, help="the app to open when the fleet has several")
    parser.set_defaults(handler="ownstack_tui.cli.tui_command:run")
    return parser


def build_parser() -> ArgumentParser:
    parser = _console_parser()
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=ArgumentParser)

    demo = _command(commands, "demo", "ownstack_tui.cli.tui_command:demo",
                    "local sandbox stacks and the console on them")
    demo.add_argument("--stacks", type=int, default=3, metavar="N", help="how many stacks (1-200, default 3)")
    demo.add_argument("--tags", action="store_true",
                      help="a big fleet's names and tags (prod-us-01: prod, us, tier-a); the tier-b "
                      "and canary stacks fail their deploys, each group with its own cause")

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
    add.add_argument("--tag", action="append", metavar="TAG",
                     help="a tag (repeat for several)").completer = tag_names  # type: ignore[attr-defined]

    for verb, handler, help_text in (
        ("stack:tag", "stack_tag", "add tags to a stack (for selectors such as tag:prod)"),
        ("stack:untag", "stack_untag", "remove tags from a stack"),
    ):
        tagging = _command(commands, verb, f"ownstack_tui.cli.fleet_commands:{handler}", help_text)
        _stack_option(tagging, "name")
        tagging.add_argument("tags", nargs="+", metavar="TAG").completer = tag_names  # type: ignore[attr-defined]

    remove = _command(commands, "stack:remove", "ownstack_tui.cli.fleet_commands:stack_remove",
                      "remove a stack from the fleet (nothing on the host changes)")
    _stack_option(remove, "name")

    _app_commands(commands)
    _deploy_commands(commands)
    _config_commands(commands)
    _health_commands(commands)
    return parser


def _deploy_commands(commands: argparse._SubParsersAction) -> None:
    deploy = _command(commands, "deploy", "ownstack_tui.cli.deploy_commands:deploy",
                      "deploy the app to its stacks, one job per stack, in parallel")
    _app_option(deploy, "app_name", nargs="?", metavar="APP")
    _app_option(deploy, "--app", default=None, help=argparse.SUPPRESS)
    _stack_option(deploy, "--stack")
    what = deploy.add_mutually_exclusive_group()
    what.add_argument("--ref", help="branch, tag or SHA to deploy (default: the app's branch)")
    what.add_argument("--image", help="a prebuilt image (dokku git:from-image)")
    deploy.add_argument("--wait", action="store_true", help="stream every stack's log until done")
    _rollout_options(deploy)

    history = _command(commands, "history", "ownstack_tui.cli.deploy_commands:history",
                       "deploy jobs per stack, newest first")
    _app_option(history, "--app")
    _stack_option(history, "--stack")
    history.add_argument("--job", type=int, metavar="ID", help="print one job's full log")
    history.add_argument("--timestamps", action="store_true",
                         help="with --job: each line's time from the job's start")
    history.add_argument("--failed", action="store_true",
                         help="the last run's failures, grouped by cause")

    logs = _command(commands, "logs", "ownstack_tui.cli.deploy_commands:logs",
                    "runtime logs of the app on its stacks")
    _app_option(logs, "--app")
    _stack_option(logs, "--stack")
    logs.add_argument("--tail", type=int, default=100, metavar="N", help="lines per container")
    logs.add_argument("--follow", action="store_true")
    logs.add_argument("--ps", metavar="TYPE", help="only this process type")


def _rollout_options(deploy: argparse.ArgumentParser) -> None:
    """Staged rollouts (the fleet's [apps.NAME.rollout], overridden here)."""
    group = deploy.add_argument_group("staged rollout")
    group.add_argument("--wave", action="append", metavar="SELECTOR",
                       help="one wave of the rollout, in order (repeat for each wave): stacks by "
                       "name, tag:TAG or pattern, e.g. --wave tag:canary --wave 'tag:prod,!tag:canary'",
                       ).completer = stack_selectors  # type: ignore[attr-defined]
    group.add_argument("--gate", choices=("health", "manual", "none"),
                       help="what lets the next wave start (default: health)")
    group.add_argument("--on-failure", choices=("halt", "rollback"),
                       help="after a failed wave: stop, or also return moved stacks (default: halt)")
    group.add_argument("--soak", metavar="DURATION", help="wait this long after a wave passed")
    group.add_argument("--yes", action="store_true", help="promote past manual gates by itself")
    group.add_argument("--all-at-once", action="store_true",
                       help="ignore the fleet's rollout: every stack at once")
    group.add_argument("--lock-wait", metavar="DURATION",
                       help="wait this long for another rollout's lock to be released")
    group.add_argument("--break-lock", action="store_true",
                       help="take over deploy locks older than an hour")
    group.add_argument("--reason", metavar="TEXT", help="shown to others while you hold the lock")


def _config_commands(commands: argparse._SubParsersAction) -> None:
    module = "ownstack_tui.cli.config_commands"
    show = _command(commands, "config", f"{module}:config_show",
                    "each stack's config: where every value comes from, and drift")
    _app_option(show, "--app")
    _stack_option(show, "--stack")
    show.add_argument("--reveal", action="store_true", help="show secret values")
    show.add_argument("--drift", action="store_true", help="only values that differ from the fleet")

    get = _command(commands, "config:get", f"{module}:config_get",
                   "one value: app level from the fleet, or as a stack has it")
    get.add_argument("key")
    _app_option(get, "--app")
    _stack_option(get, "--stack")
    get.add_argument("--reveal", action="store_true", help="show a secret value in --json output")

    for name, handler, help_text, positional in (
        ("config:set", "config_set", "set vars at app level or on one stack, and apply", "pairs"),
        ("config:unset", "config_unset", "unset vars at app level or on one stack", "keys"),
    ):
        change = _command(commands, name, f"{module}:{handler}", help_text)
        _app_option(change, "--app")
        _stack_option(change, "--stack")
        change.add_argument("--no-restart", action="store_true")
        change.add_argument(positional, nargs="+", metavar="KEY=VALUE" if positional == "pairs" else "KEY")

    push = _command(commands, "config:push", f"{module}:config_push",
                    "set vars from a file of KEY='value' lines, and apply")
    _app_option(push, "--app")
    _stack_option(push, "--stack")
    push.add_argument("--file", required=True)
    push.add_argument("--no-restart", action="store_true")

    apply = _command(commands, "config:apply", f"{module}:config_apply",
                     "bring stacks in line with the fleet's config (fixes drift)")
    _app_option(apply, "--app")
    _stack_option(apply, "--stack")
    apply.add_argument("--no-restart", action="store_true")

    scale = _command(commands, "ps:scale", f"{module}:ps_scale",
                     "show or set process counts on one stack")
    _app_option(scale, "--app")
    _stack_option(scale, "--stack")
    scale.add_argument("pairs", nargs="*", metavar="TYPE=N")


def _health_commands(commands: argparse._SubParsersAction) -> None:
    module = "ownstack_tui.cli.health_commands"
    status = _command(commands, "status", f"{module}:status",
                      "every stack's health side by side; outliers marked, exit 1 on trouble")
    status.add_argument("--app")
    _stack_option(status)
    for name, handler, help_text in (
        ("ps:restart", "ps_restart", "restart the app's processes on one stack"),
        ("ps:rebuild", "ps_rebuild", "build the app again from its stored source on one stack"),
    ):
        action = _command(commands, name, f"{module}:{handler}", help_text)
        action.add_argument("--app")
        _stack_option(action)
        if name == "ps:restart":
            action.add_argument("--process", metavar="TYPE", help="only this process type")
        action.add_argument("--yes", action="store_true",
                            help="no question on production-looking stacks")


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
    _stack_option(create, "--stack", help="target stacks (selectors over the fleet's stacks)")

    stacks = _command(verbs, "stacks", "ownstack_tui.cli.fleet_commands:app_stacks",
                      "the app's target stacks")
    _app_option(stacks, "app")
    add = _command(verbs, "stacks:add", "ownstack_tui.cli.fleet_commands:app_stacks_add",
                   "make a stack a target of the app")
    _app_option(add, "app")
    _stack_option(add, "stack")
    remove = _command(verbs, "stacks:remove", "ownstack_tui.cli.fleet_commands:app_stacks_remove",
                      "stop deploying the app to a stack (its dokku app stays there)")
    _app_option(remove, "app")
    _stack_option(remove, "stack")

    info = _command(verbs, "info", "ownstack_tui.cli.deploy_commands:app_info",
                    "what each stack runs: one line per stack")
    _app_option(info, "app", nargs="?")

    replicate = _command(verbs, "replicate", "ownstack_tui.cli.config_commands:app_replicate",
                         "a sibling app on one stack sharing the source's databases")
    _app_option(replicate, "source")
    replicate.add_argument("new")
    _stack_option(replicate, "--stack")
    replicate.add_argument("--deploy", action="store_true")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else argv
    args = _console_only(argv)
    if args is None:
        parser = build_parser()
        complete(parser)  # a shell asking for completions gets them here, and the process ends
        args = parser.parse_args(argv)
    if isinstance(getattr(args, "stack", None), list):
        # `--stack X --stack X` is one target: one job per stack, in the order given.
        args.stack = list(dict.fromkeys(args.stack))
    return args


def _console_only(argv: list[str]) -> argparse.Namespace | None:
    """What the full parser makes of a command line that opens the console, or None for any
    other (a command, --help, an error, a completion request): that one goes to the full
    parser. Building every command's parser costs ~15 ms of CPU, paid before the console's
    first frame; the console's own options alone take ~1 ms. The same namespace either way:
    the commands' subparsers add no attribute when no command is given."""
    if "_ARGCOMPLETE" in os.environ:
        return None
    try:
        # No -h here: help lists the commands, so it is the full parser's.
        return _console_parser(add_help=False).parse_args(argv)
    except InvalidInput:
        return None
