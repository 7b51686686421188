"""``urls APP``: where the app answers (the stand-in's tiny app server, see app_http.py)."""

from __future__ import annotations

from ownstack_tui.sandbox.app_http import app_urls
from ownstack_tui.sandbox.commands.common import Ctx, parse_flags, verify_app


async def urls(ctx: Ctx, args: list[str]) -> int:
    _, positional = parse_flags("urls", args)
    app = verify_app(ctx, positional[0] if positional else "")
    for url in app_urls(ctx.state, app):
        await ctx.console.line(url)
    return 0


COMMANDS = {"urls": urls}
