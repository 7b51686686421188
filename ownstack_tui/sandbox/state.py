"""A stack's state folder: everything a stand-in dokku host knows, on disk.

Layout (one folder per stack)::

    stack.json                 {"name": ...}
    faults.json                see faults.py
    home/<app>/                bare git repository (like /home/dokku/<app>); the app exists iff it does
    apps/<app>/meta.json       created-at, deploy source, scale, containers, properties ...
    apps/<app>/.deploy.lock    dokku's deploy lock file
    config/<app>/ENV           godotenv file (config/--global/ENV for --global)
    global.json                global properties (git deploy-branch, app auto-creation) and the
                               host's own facts: dokku version, plugins, TLS certificate
    services/<kind>/<name>/    postgres / redis service data

Writers take a per-app flock around read-modify-write, so the asyncssh server, forced-command
handlers and git hooks can run at the same time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ownstack_tui.sandbox import envfile
from ownstack_tui.sandbox.faults import Faults, load_faults

GLOBAL = "--global"
DEFAULT_DOKKU_VERSION = "0.38.27"
SANDBOX_DOMAIN = "sandbox.test"


def _default_meta() -> dict[str, Any]:
    return {
        "created_at": int(time.time()),
        "deploy_source": "",
        "deploy_source_metadata": "",
        "deployed": False,
        "restore": True,
        "procfile": {},
        "scale": {},
        "containers": {},
        "started_at": 0.0,
        "git": {},
        "formations": False,
        "image": "",
        "builder": "herokuish",
    }


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


class StackState:
    """Read and change one stack's state folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- the stack itself -------------------------------------------------------------
    @property
    def name(self) -> str:
        try:
            return str(json.loads((self.root / "stack.json").read_text())["name"])
        except (OSError, ValueError, KeyError):
            return self.root.name

    def initialise(self, name: str) -> None:
        for sub in ("home", "apps", "config", "services"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        _write_json(self.root / "stack.json", {"name": name})

    def faults(self) -> Faults:
        return load_faults(self.root)

    # -- apps -------------------------------------------------------------------------
    def repo(self, app: str) -> Path:
        return self.root / "home" / app

    def app_dir(self, app: str) -> Path:
        return self.root / "apps" / app

    def app_exists(self, app: str) -> bool:
        return bool(app) and "/" not in app and app not in (".", "..") and self.repo(app).is_dir()

    def list_apps(self) -> list[str]:
        home = self.root / "home"
        if not home.is_dir():
            return []
        return sorted(p.name for p in home.iterdir() if p.is_dir() and not p.name.startswith("."))

    def create_app(self, app: str) -> None:
        """The app folder, its meta and a bare repository with dokku's pre-receive hook."""
        import subprocess

        repo = self.repo(app)
        self.app_dir(app).mkdir(parents=True, exist_ok=True)
        _write_json(self.app_dir(app) / "meta.json", _default_meta())
        subprocess.run(
            ["git", "init", "--quiet", "--bare", str(repo)],
            check=True,
            stdout=subprocess.DEVNULL,
            env=_git_env(),
        )
        hook = repo / "hooks" / "pre-receive"
        hook.write_text(hook_script(self.root, app))
        hook.chmod(0o755)

    def destroy_app(self, app: str) -> None:
        shutil.rmtree(self.repo(app), ignore_errors=True)
        shutil.rmtree(self.app_dir(app), ignore_errors=True)
        shutil.rmtree(self.root / "config" / app, ignore_errors=True)

    def meta(self, app: str) -> dict[str, Any]:
        try:
            data = json.loads((self.app_dir(app) / "meta.json").read_text())
        except (OSError, ValueError):
            data = {}
        merged = _default_meta()
        merged.update(data)
        return merged

    @contextlib.contextmanager
    def update_meta(self, app: str) -> Iterator[dict[str, Any]]:
        """Read-modify-write of an app's meta under a lock (never await inside)."""
        folder = self.app_dir(app)
        folder.mkdir(parents=True, exist_ok=True)
        with self._flock(folder / ".meta.lock"):
            data = self.meta(app)
            yield data
            _write_json(folder / "meta.json", data)

    def deploy_lock_path(self, app: str) -> Path:
        return self.app_dir(app) / ".deploy.lock"

    # -- global properties ------------------------------------------------------------
    def global_props(self) -> dict[str, Any]:
        try:
            data = json.loads((self.root / "global.json").read_text())
        except (OSError, ValueError):
            data = {}
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def update_global(self) -> Iterator[dict[str, Any]]:
        with self._flock(self.root / ".global.lock"):
            data = self.global_props()
            yield data
            _write_json(self.root / "global.json", data)

    # -- the host's own facts (dokku version, plugins, certificate) -----------------------
    def dokku_version(self) -> str:
        return str(self.global_props().get("dokku-version") or DEFAULT_DOKKU_VERSION)

    def set_dokku_version(self, version: str) -> None:
        with self.update_global() as data:
            data["dokku-version"] = version

    def has_plugin(self, name: str) -> bool:
        return name in self.global_props().get("plugins", [])

    def set_plugin(self, name: str, installed: bool) -> None:
        with self.update_global() as data:
            plugins = set(data.get("plugins", []))
            plugins = plugins | {name} if installed else plugins - {name}
            data["plugins"] = sorted(plugins)

    def global_vhost(self) -> str:
        """The host's global domain: every app is reachable at ``<app>.<this>``."""
        return f"{self.name}.{SANDBOX_DOMAIN}"

    def certificate_expires_at(self) -> int | None:
        """Unix time the host's wildcard certificate (``*.<global vhost>``) expires, if any."""
        value = self.global_props().get("tls-expires-at")
        return int(value) if isinstance(value, int | float) else None

    def set_certificate(self, expires_at: int | None) -> None:
        with self.update_global() as data:
            if expires_at is None:
                data.pop("tls-expires-at", None)
            else:
                data["tls-expires-at"] = int(expires_at)

    # -- config -----------------------------------------------------------------------
    def env_path(self, app: str) -> Path:
        return self.root / "config" / app / "ENV"

    def read_env(self, app: str) -> dict[str, str]:
        try:
            raw = self.env_path(app).read_bytes()
        except OSError:
            return {}
        return envfile.parse(raw.decode("utf-8", "surrogateescape"))

    @contextlib.contextmanager
    def update_env(self, app: str) -> Iterator[dict[str, str]]:
        path = self.env_path(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._flock(path.parent / ".ENV.lock"):
            env = self.read_env(app)
            yield env
            tmp = path.with_name(f".ENV.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(envfile.write_text(env).encode("utf-8", "surrogateescape"))
            os.replace(tmp, path)

    # -- services ---------------------------------------------------------------------
    def service_dir(self, kind: str, name: str) -> Path:
        return self.root / "services" / kind / name

    def service(self, kind: str, name: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads((self.service_dir(kind, name) / "meta.json").read_text()))
        except (OSError, ValueError):
            return None

    def write_service(self, kind: str, name: str, data: dict[str, Any]) -> None:
        folder = self.service_dir(kind, name)
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "meta.json", data)

    def services(self, kind: str) -> list[str]:
        folder = self.root / "services" / kind
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    # -- helpers ----------------------------------------------------------------------
    @contextlib.contextmanager
    def _flock(self, path: Path) -> Iterator[None]:
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SSH_ORIGINAL_COMMAND", None)
    # A bare repo's HEAD is whatever `git init` picks; dokku hosts normally get "master".
    env.setdefault("GIT_CONFIG_GLOBAL", "/dev/null")
    env.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    return env


def package_root() -> Path:
    """The folder holding the ``ownstack_tui`` package, for PYTHONPATH in hooks."""
    return Path(__file__).resolve().parent.parent.parent


def hook_script(state_root: Path, app: str) -> str:
    """dokku's pre-receive hook runs ``dokku git-hook <app>``; ours runs our handler."""
    import shlex

    return (
        "#!/bin/sh\n"
        f"PYTHONPATH={shlex.quote(str(package_root()))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f"exec {shlex.quote(sys.executable)} -m ownstack_tui.sandbox.handler "
        f"--state {shlex.quote(str(state_root.resolve()))} git-hook {shlex.quote(app)}\n"
    )
