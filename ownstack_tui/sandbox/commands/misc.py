"""``version``, ``help`` and ``certs:report``."""

from __future__ import annotations

from ownstack_tui.sandbox.commands.common import Ctx, verify_app
from ownstack_tui.sandbox.report import run_report

DOKKU_VERSION = "0.38.27"

_HELP = """\
Usage: dokku [--quiet|--trace|--force] COMMAND <app> [command-specific-options]

Primary help options, type "dokku COMMAND:help" for more details, or dokku help --all to see all commands.

Commands:

    apps                     Manage apps
    certs                    Manage SSL (TLS) certs
    config                   Manage global and app-specific config vars
    git                      Manage app deploys via git
    logs                     Manage log integration for an app
    postgres                 Manage postgres services
    ps                       List processes running in app containers
    redis                    Manage redis services
    version                  Print dokku's version
"""


async def version(ctx: Ctx, args: list[str]) -> int:
    await ctx.console.line(f"dokku version {DOKKU_VERSION}")
    return 0


async def help_text(ctx: Ctx, args: list[str]) -> int:
    await ctx.console.out(_HELP)
    return 0


def certs_values(ctx: Ctx, app: str) -> dict[str, str]:
    return {
        "--ssl-dir": f"/home/dokku/{app}/tls",
        "--ssl-enabled": "false",
        "--ssl-expires-at": "",
        "--ssl-hostnames": "",
        "--ssl-issuer": "",
        "--ssl-starts-at": "",
        "--ssl-subject": "",
        "--ssl-verified": "",
    }


async def certs_report(ctx: Ctx, args: list[str]) -> int:
    await run_report(
        ctx.console,
        "ssl",
        args,
        ctx.state.list_apps,
        lambda app: verify_app(ctx, app) and None,
        lambda app: certs_values(ctx, app),
        legacy=False,
    )
    return 0


COMMANDS = {
    "version": version,
    "-v": version,
    "--version": version,
    "help": help_text,
    "certs:report": certs_report,
}
