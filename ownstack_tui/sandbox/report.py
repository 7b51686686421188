"""dokku's shared ``*:report`` layout (dokku.md §0.1, ``common.ReportSingleApp``)."""

from __future__ import annotations

import json
from collections.abc import Callable

from ownstack_tui.sandbox.console import Console, DokkuFail


def go_json(data: object) -> str:
    """json.Marshal's text: compact, sorted map keys, <, >, & escaped as Go does."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _label(flag: str) -> str:
    key = flag[2:].replace("-", " ").replace(".", " ")
    return key[:1].upper() + key[1:]


def parse_report_args(args: list[str]) -> tuple[str | None, str, str]:
    """(app or None, format, info flag) from ``<type>:report`` words.

    Only ``--format json`` with a space selects the format; ``--format=json`` is an info flag.
    """
    app: str | None = None
    fmt = "stdout"
    info = ""
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--format":
            index += 1
            fmt = args[index] if index < len(args) else ""
        elif word.startswith("--") and word != "--global":
            # dokku keeps only one info flag; a second one matches nothing (dokku.md §0.1).
            info = word if not info else "\x00two-flags"
        elif app is None:
            app = word
        index += 1
    return app, fmt, info


async def render_report(
    console: Console,
    report_type: str,
    app: str,
    values: dict[str, str],
    fmt: str,
    info: str,
    legacy: bool,
) -> None:
    """Print one app's report block, its JSON line or one value."""
    if fmt not in ("stdout", "json"):
        raise DokkuFail(f'Format must be "stdout" or "json": "{fmt}"')
    if fmt == "json" and info:
        raise DokkuFail("--format flag cannot be specified when specifying an info flag")
    if fmt == "json":
        prefix = f"--{report_type}-"
        data: dict[str, str] = {}
        for flag, value in values.items():
            legacy_key = flag[2:]
            if flag.startswith(prefix):
                data[flag[len(prefix) :]] = value
                if legacy:
                    data[legacy_key] = value
            else:
                data[legacy_key] = value
        await console.line(go_json(data))
        return
    flags = sorted(values)
    width = max([31, *(len(flag) for flag in flags)])
    if not info:
        await console.info2_quiet(f"{app} {report_type} information")
        for flag in flags:
            await console.verbose(f"{_label(flag) + ':':<{width}}{values[flag]}")
        return
    if info == "\x00two-flags":
        return
    if info in values:
        await console.line(values[info])
        return
    raise DokkuFail(f"Invalid flag passed, valid flags: {', '.join(flags)}")


async def run_report(
    console: Console,
    report_type: str,
    args: list[str],
    all_apps: Callable[[], list[str]],
    check_app: Callable[[str], None],
    values_for: Callable[[str], dict[str, str]],
    legacy: bool,
) -> None:
    """``<type>:report [<app>] [--format json|--flag]`` for one app or every app."""
    app, fmt, info = parse_report_args(args)
    if app is None:
        apps = all_apps()
        if not apps:
            await console.warn("You haven't deployed any applications yet")
            return
    else:
        check_app(app)
        apps = [app]
    for name in apps:
        await render_report(console, report_type, name, values_for(name), fmt, info, legacy)
