"""A tiny asyncssh server for the connection-pool tests (independent of the sandbox).

It accepts one client key, answers ``echo WORDS`` with the line it received, ``hang`` by
never answering, and ``drop`` by aborting the whole connection. ``git-receive-pack 'APP'``
runs the real git-receive-pack on a bare repository whose pre-receive hook prints
dokku-style lines (and fails when the file ``fail`` exists in the server's folder).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

# Absolute paths: tests run the client with a PATH that has no ssh (and the server shares it).
GIT = shutil.which("git") or "git"
RECEIVE_PACK = shutil.which("git-receive-pack") or "git-receive-pack"

PRE_RECEIVE = """#!/bin/sh
read old new ref
echo "-----> Building from $ref"
if [ -e {folder}/slow ]; then sleep 30; fi
if [ -e {folder}/fail ]; then
  echo " !     Procfile not found"
  echo " !     App build failed"
  exit 1
fi
echo "=====> Application deployed:"
echo "$new" > {folder}/deployed
"""


@dataclass
class TinyServer:
    directory: Path
    host_key: asyncssh.SSHKey
    client_key: asyncssh.SSHKey
    connections: int = 0
    handshaking: int = 0  # connections not yet authenticated
    most_handshaking: int = 0
    forwarded: list[tuple[str, int]] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    _server: asyncssh.SSHAcceptor | None = None

    @property
    def client_key_path(self) -> Path:
        path = self.directory / "id_client"
        if not path.exists():
            self.client_key.write_private_key(str(path))
            path.chmod(0o600)
        return path

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.get_port()

    def known_hosts_line(self, key: asyncssh.SSHKey | None = None) -> str:
        public = (key or self.host_key).export_public_key("openssh").decode().split()[:2]
        return f"[127.0.0.1]:{self.port} {' '.join(public)}"

    async def start(self, port: int = 0) -> None:
        server = self

        class Server(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                server.connections += 1
                server.handshaking += 1
                server.most_handshaking = max(server.most_handshaking, server.handshaking)

            def auth_completed(self) -> None:
                server.handshaking -= 1

            def connection_requested(
                self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
            ) -> bool:
                # Act as a ProxyJump host: forward to the destination directly.
                server.forwarded.append((dest_host, dest_port))
                return True

        authorized = asyncssh.import_authorized_keys(
            self.client_key.export_public_key("openssh").decode()
        )
        self._server = await asyncssh.create_server(
            Server,
            "127.0.0.1",
            port,
            server_host_keys=[self.host_key],
            authorized_client_keys=authorized,
            process_factory=self._handle,
            encoding=None,  # git's pack data is binary
        )

    async def _handle(self, process: asyncssh.SSHServerProcess) -> None:
        command = process.command or ""
        self.commands.append(command)
        if command == "hang":
            await asyncio.sleep(3600)
        elif command == "drop":
            process.channel.get_connection().abort()
            return
        if command.startswith("git-receive-pack "):
            await self._receive_pack(process, command.split()[1].strip("'"))
            return
        process.stdout.write(f"{command}\n".encode())
        process.exit(0)

    async def _receive_pack(self, process: asyncssh.SSHServerProcess, app: str) -> None:
        repo = self.directory / "repos" / app
        if not repo.exists():
            subprocess.run([GIT, "init", "-q", "--bare", str(repo)], check=True)
            hook = repo / "hooks" / "pre-receive"
            hook.write_text(PRE_RECEIVE.format(folder=self.directory))
            hook.chmod(0o755)
        local = await asyncio.create_subprocess_exec(
            RECEIVE_PACK, str(repo),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PATH": "/usr/bin:/bin"},
        )
        assert local.stdin and local.stdout and local.stderr

        async def feed() -> None:
            async for chunk in _chunks(process.stdin):
                local.stdin.write(chunk)
                await local.stdin.drain()
            local.stdin.close()

        async def relay(source: asyncio.StreamReader, sink: asyncssh.SSHWriter) -> None:
            while data := await source.read(1 << 16):
                sink.write(data)

        feeder = asyncio.create_task(feed())
        try:
            await asyncio.gather(relay(local.stdout, process.stdout), relay(local.stderr, process.stderr))
            process.exit(await local.wait())
        except (asyncssh.Error, OSError, asyncio.CancelledError):
            local.kill()
            raise
        finally:
            feeder.cancel()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


def new_server(directory: Path) -> TinyServer:
    return TinyServer(
        directory,
        asyncssh.generate_private_key("ssh-ed25519"),
        asyncssh.generate_private_key("ssh-ed25519"),
    )


async def _chunks(reader: asyncssh.SSHReader) -> AsyncIterator[bytes]:
    while data := await reader.read(1 << 16):
        yield data
