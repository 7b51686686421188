"""``logs`` (dokku.md §6): generated ``docker logs`` lines for the app's containers.

Each container "logs" one line every LINE_INTERVAL seconds since it started; the lines are a
pure function of the container id and the line number, so repeated calls agree. ``-t`` keeps
producing lines for running containers until the client goes away.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import UTC, datetime

from ownstack_tui.sandbox.commands.common import Ctx, verify_app_bash
from ownstack_tui.sandbox.console import DokkuFail

COLOURS = (36, 33, 32, 35, 31)
LINE_INTERVAL = 2.0
FOLLOW_INTERVAL = 0.5
_PATHS = ("/", "/health", "/api/items", "/login", "/static/app.css", "/api/orders")


def _message(ptype: str, cid: str, number: int) -> str:
    if number == 0:
        return "Listening on port 5000" if ptype == "web" else f"{ptype} ready"
    digest = hashlib.sha256(f"{cid}:{number}".encode()).digest()
    if ptype == "web":
        path = _PATHS[digest[0] % len(_PATHS)]
        status = (200, 200, 200, 304, 404)[digest[1] % 5]
        return f'10.0.0.{digest[2] % 250 + 2} - - "GET {path} HTTP/1.1" {status} {digest[3] * 7}'
    return f"processed job {int.from_bytes(digest[:3], 'big')} in {digest[4] % 90 + 3}ms"


def _timestamp(moment: float, number: int) -> str:
    stamp = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nanos = (int(moment * 1e9) + number * 7919) % 1_000_000_000
    return f"{stamp}.{nanos:09d}Z"


def _render(ptype_index: str, index: int, moment: float, number: int, cid: str, quiet: bool) -> str:
    ptype = ptype_index.split(".")[0]
    message = _message(ptype, cid, number)
    if quiet:
        return message + "\n"
    colour = COLOURS[index % len(COLOURS)]
    return f"\x1b[{colour}m{_timestamp(moment, number)} app[{ptype_index}]:\x1b[0m {message}\n"


async def logs(ctx: Ctx, args: list[str]) -> int:
    app = verify_app_bash(ctx, args[0] if args else "")
    num, process, follow, quiet = 100, "", False, False
    rest = args[1:]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word in ("-n", "--num") and index + 1 < len(rest):
            index += 1
            num = int(rest[index]) if rest[index].isdigit() else num
        elif word.startswith("-n") and word[2:].isdigit():
            num = int(word[2:])
        elif word.startswith("--num="):
            num = int(word[6:]) if word[6:].isdigit() else num
        elif word in ("-p", "--ps") and index + 1 < len(rest):
            index += 1
            process = rest[index]
        elif word in ("-t", "--tail"):
            follow = True
        elif word in ("-q", "--quiet"):
            quiet = True
        index += 1
    meta = ctx.state.meta(app)
    if not meta["deployed"]:
        raise DokkuFail(f"App {app} has not been deployed")
    containers = [
        (name, cid)
        for name, cid in sorted(meta["containers"].items())
        if not process or name.split(".")[0] == process
    ]
    started = float(meta["started_at"] or time.time())
    running = bool(meta["restore"])
    now = time.time()
    last = {name: max(0, int((now - started) / LINE_INTERVAL)) for name, _ in containers}
    backlog: list[tuple[float, str]] = []
    for position, (name, cid) in enumerate(containers):
        first = max(0, last[name] - num + 1)
        for number in range(first, last[name] + 1):
            moment = started + number * LINE_INTERVAL
            backlog.append((moment, _render(name, position, moment, number, cid, quiet)))
    # docker logs runs per container in parallel: lines interleave roughly by time.
    backlog.sort(key=lambda item: item[0])
    if num > 0:
        await ctx.console.out("".join(text for _, text in backlog))
    if not follow or not running or not containers:
        return 0
    number = max(last.values()) + 1
    while not ctx.sink.is_closed():
        await asyncio.sleep(FOLLOW_INTERVAL)
        moment = time.time()
        chunk = "".join(
            _render(name, position, moment, number, cid, quiet)
            for position, (name, cid) in enumerate(containers)
        )
        await ctx.console.out(chunk)
        number += 1
    return 0


COMMANDS = {"logs": logs}
