"""What ``sandbox up`` prepares around running stacks: a demo app repo, a fleet file, known_hosts."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ownstack_tui.sandbox.fleet import SandboxFleet

DEMO_APP = "shop"
DEMO_CERT_DAYS = 75
OLDER_DOKKU_VERSION = "0.37.6"  # one demo stack lags behind, so the status view has an outlier
# `demo --tags`: two tagged groups fail their first deploy, each with one cause of its own,
# so that failures group by cause: every tier-b build is rejected (not transient), and every
# canary's connection drops mid-deploy (a transient cause).
GROUP_FAULTS: dict[str, dict[str, Any]] = {
    "tier-b": {"build_fail": True},
    "canary": {"drop_after_lines": 12},
}
# `demo --tags`: the sidebar starts grouped by environment ([console] group_by).
DEMO_GROUP_BY = ("staging", "canary", "prod")
_FILES = {
    "Procfile": "web: python app.py\nworker: python worker.py\n",
    "requirements.txt": "flask\n",
    "app.py": "print('shop: hello from the ownstack-tui sandbox')\n",
    "worker.py": "print('shop worker ready')\n",
}


def ensure_demo_repo(path: Path) -> Path:
    """A git repository with a Procfile and one commit on ``main`` (kept if it exists)."""
    if (path / ".git").is_dir():
        return path
    path.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "Sandbox"),
        "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "sandbox@example.org"),
        "GIT_COMMITTER_NAME": os.environ.get("GIT_COMMITTER_NAME", "Sandbox"),
        "GIT_COMMITTER_EMAIL": os.environ.get("GIT_COMMITTER_EMAIL", "sandbox@example.org"),
    }
    for name, text in _FILES.items():
        (path / name).write_text(text)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(path), *args], check=True, env=env, capture_output=True)

    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    git("add", "-A")
    git("commit", "-q", "-m", "Initial commit of the demo app")
    return path


def dress_demo_stacks(fleet: SandboxFleet) -> None:
    """What real hosts have: a certificate from the letsencrypt plugin, and (from three stacks
    on) one host still on an older dokku."""
    for stack in fleet.stacks:
        stack.set_plugin("letsencrypt")
        stack.set_certificate(DEMO_CERT_DAYS)
    if len(fleet.stacks) >= 3:
        fleet.stacks[-1].set_dokku_version(OLDER_DOKKU_VERSION)


def fault_tagged_groups(fleet: SandboxFleet, tags: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Switch on each of :data:`GROUP_FAULTS` on every stack with its tag; returns the
    stacks faulted, by tag."""
    faulted: dict[str, list[str]] = {}
    for tag, faults in GROUP_FAULTS.items():
        names = [stack.name for stack in fleet.stacks if tag in tags.get(stack.name, ())]
        for name in names:
            fleet[name].set_fault(**faults)
        faulted[tag] = names
    return faulted


def write_fleet_file(
    path: Path,
    fleet: SandboxFleet,
    repo: Path,
    app: str = DEMO_APP,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Point a fleet file at the running demo stacks (ports change per start; other edits
    survive), dressing them first (:func:`dress_demo_stacks`). New stacks get their
    ``tags`` (by stack name) if given, and then the console groups them by environment."""
    from ownstack_tui.fleet_file import FleetFile

    dress_demo_stacks(fleet)

    fleet_file = FleetFile.load_or_new(path)
    identity = str(fleet.client_key_path)
    new: list[dict[str, Any]] = []
    for stack in fleet.stacks:
        if stack.name in fleet_file.fleet.stacks:
            entry = fleet_file.document["stacks"][stack.name]
            entry["host"] = stack.host
            entry["port"] = stack.port
            entry["identity"] = identity
        else:
            new.append({"name": stack.name, "host": stack.host, "port": stack.port, "user": stack.user,
                        "identity": identity, "tags": list((tags or {}).get(stack.name, ()))})
    if new:
        fleet_file.add_stacks(new)
    if tags and "console" not in fleet_file.document:
        fleet_file.set_value("console", {"group_by": list(DEMO_GROUP_BY)})
    if app not in fleet_file.fleet.apps:
        fleet_file.add_app(app, str(repo), "main", needs_postgres=True, stacks=fleet.names)
    else:
        for name in fleet.names:
            fleet_file.add_target(app, name)
    fleet_file.save()
    return path
