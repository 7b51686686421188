"""The ``GIT_SSH_COMMAND`` that ``git push`` runs: relays git's pipes to ownstack-tui.

git starts this (via :mod:`.push`) as ``bridge.py HOST COMMAND`` instead of ``ssh``. It
connects to the unix socket named in ``OWNSTACK_BRIDGE_SOCKET``, proves it was started by
that push with ``OWNSTACK_BRIDGE_TOKEN``, and then shuttles bytes: git's stdin to the parent,
the parent's stdout/stderr frames to its own stdout/stderr, and exits with the remote exit
status. The parent runs COMMAND on its pooled asyncssh connection.

Run with ``python -I -S`` and importing only built-in C modules (``_socket``, ``_struct``,
``_thread``): one starts per push, and ``json``, ``socket`` and ``threading`` (with the ``re``,
``enum`` and ``collections`` they pull in) tripled its start-up CPU (~10 ms → ~30 ms).
Frames are ``kind (1 byte) + length (4 bytes, big-endian) + payload``:
to the parent ``H`` (header: the token, then each argument, NUL-separated), ``I`` (stdin
bytes), ``i`` (stdin closed); from the parent ``O`` (stdout), ``E`` (stderr), ``X`` (exit
status, ASCII digits).
"""

from __future__ import annotations

import _socket
import _struct
import _thread
import os
import sys

SOCKET_ENV = "OWNSTACK_BRIDGE_SOCKET"
TOKEN_ENV = "OWNSTACK_BRIDGE_TOKEN"
_HEADER = _struct.Struct(">cI")


def header(token: str, argv: list[str]) -> bytes:
    """The ``H`` frame's payload (arguments cannot hold NUL)."""
    return "\0".join([token, *argv]).encode("utf-8", "surrogateescape")


def parse_header(payload: bytes) -> tuple[str, list[str]]:
    token, *argv = payload.decode("utf-8", "surrogateescape").split("\0")
    return token, argv


def send_frame(sock: _socket.socket, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(_HEADER.pack(kind, len(payload)) + payload)


def _recv_exact(sock: _socket.socket, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: _socket.socket) -> tuple[bytes, bytes] | None:
    header = _recv_exact(sock, _HEADER.size)
    if header is None:
        return None
    kind, size = _HEADER.unpack(header)
    payload = _recv_exact(sock, size) if size else b""
    return None if payload is None else (kind, payload)


def _pump_stdin(sock: _socket.socket) -> None:
    try:
        while True:
            data = os.read(0, 1 << 16)
            if not data:
                send_frame(sock, b"i")
                return
            send_frame(sock, b"I", data)
    except OSError:
        return


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main(argv: list[str]) -> int:
    path, token = os.environ.get(SOCKET_ENV), os.environ.get(TOKEN_ENV)
    if not path or not token:
        sys.stderr.write("ownstack-tui bridge: only ownstack-tui's own git push runs this\n")
        return 255
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
        send_frame(sock, b"H", header(token, argv))
    except OSError as error:
        sys.stderr.write(f"ownstack-tui bridge: cannot reach ownstack-tui: {error}\n")
        return 255
    # Daemon-like: the process exits when main returns, whatever this thread is doing.
    _thread.start_new_thread(_pump_stdin, (sock,))
    while True:
        frame = recv_frame(sock)
        if frame is None:
            sys.stderr.write("ownstack-tui bridge: ownstack-tui closed the connection\n")
            return 255
        kind, payload = frame
        if kind == b"O":
            _write_all(1, payload)
        elif kind == b"E":
            _write_all(2, payload)
        elif kind == b"X":
            return int(payload or b"255")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
