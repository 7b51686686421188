"""SSH keys for sandbox stacks (host keys) and the sandbox's client key, plus known_hosts lines."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh


def ensure_key(path: Path, comment: str) -> Path:
    """An ed25519 key in OpenSSH format at ``path`` (0600) with ``path.pub``; kept if present."""
    if not path.exists() or not path.with_name(path.name + ".pub").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(key.export_private_key("openssh"))
        tmp.chmod(0o600)
        os.replace(tmp, path)
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key("openssh"))
    return path


def public_key_text(path: Path) -> str:
    """``ssh-ed25519 AAAA...`` (no comment) of a private key file's .pub."""
    parts = path.with_name(path.name + ".pub").read_text().split()
    return f"{parts[0]} {parts[1]}"


def host_pattern(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def write_known_hosts(path: Path, entries: dict[str, str]) -> None:
    """Add ``pattern -> key`` lines, replacing any earlier line for the same host pattern."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lines = path.read_text().splitlines()
    except OSError:
        lines = []
    kept = [line for line in lines if not line.split() or line.split()[0] not in entries]
    kept.extend(f"{pattern} {key}" for pattern, key in entries.items())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(kept) + "\n")
    os.replace(tmp, path)
