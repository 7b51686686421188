"""``version`` and ``help``."""

from __future__ import annotations

from ownstack_tui.sandbox.commands.common import Ctx

_HELP = """\
Usage: dokku [--quiet|--trace|--force] COMMAND <app> [command-specific-options]

Primary help options, type "dokku COMMAND:help" for more details, or dokku help --all to see all commands.

Commands:

    apps                     Manage apps
    certs                    Manage SSL (TLS) certs
    config                   Manage global and app-specific config vars
    domains                  Manage domains used by the proxy
    git                      Manage app deploys via git
    logs                     Manage log integration for an app
    postgres                 Manage postgres services
    ps                       List processes running in app containers
    redis                    Manage redis services
    version                  Print dokku's version
"""


async def version(ctx: Ctx, args: list[str]) -> int:
    await ctx.console.line(f"dokku version {ctx.state.dokku_version()}")
    return 0


async def help_text(ctx: Ctx, args: list[str]) -> int:
    await ctx.console.out(_HELP)
    return 0


COMMANDS = {
    "version": version,
    "-v": version,
    "--version": version,
    "help": help_text,
}
