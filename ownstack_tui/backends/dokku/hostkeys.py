"""Host-key decisions: which known_hosts files count, and how a new key gets accepted.

Keys are checked against the user's ``~/.ssh/known_hosts`` and then ours
(:func:`ownstack_tui.paths.known_hosts_path`). We only ever write to ours: accepting a key
appends one OpenSSH-format line there, so plain ``ssh`` keeps its own file untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from ownstack_tui import paths

from .errors import UnknownHostKey


def user_known_hosts_path() -> Path:
    return Path("~", ".ssh", "known_hosts").expanduser()


def default_known_hosts_files() -> list[Path]:
    return [user_known_hosts_path(), paths.known_hosts_path()]


def known_hosts_entry(host: str, port: int, key_type: str, key_base64: str) -> str:
    """An OpenSSH known_hosts line: ``[host]:port`` for a port other than 22."""
    name = host if port == 22 else f"[{host}]:{port}"
    return f"{name} {key_type} {key_base64}"


def accept_host_key(error: UnknownHostKey, path: Path | None = None) -> Path:
    """Trust the key an :class:`UnknownHostKey` reported: append it to our known_hosts.

    Never used for a changed key: that one must be fixed by hand (remove the old line)."""
    path = path or paths.known_hosts_path()
    append_known_host(error.known_hosts_line, path)
    return path


def append_known_host(line: str, path: Path | None = None) -> None:
    path = path or paths.known_hosts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text() if path.exists() else ""
    if line in existing.splitlines():
        return
    separator = "" if not existing or existing.endswith("\n") else "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(f"{separator}{line}\n")
