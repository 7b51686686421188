"""The lines a dokku host prints, worded as the sandbox stacks (and dokku, dokku.md §2, §5, §6)
print them, for the fake backend to stream. Pure functions: the same input, the same lines."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

LOG_COLOURS = (36, 33, 32, 35, 31)
_PATHS = ("/", "/health", "/api/items", "/login", "/static/app.css", "/api/orders")


def build_start(app: str) -> list[str]:
    return [
        "-----> Cleaning up...",
        f"-----> Building {app} from herokuish",
        "-----> Adding BUILD_ENV to build environment...",
        "-----> Python app detected",
        "-----> Installing dependencies",
    ]


def build_failed(app: str, reason: str) -> list[str]:
    return [
        "       ERROR: dependency installation failed (exit status 1)",
        f" !     {reason}",
        " !     Failure attaching to container during app build",
        f" !     Removing invalid image tag dokku/{app}:latest",
        " !     App build failed",
    ]


def push_rejected(stack: str, app: str, sha: str) -> list[str]:
    return [
        f"To {stack}:{app}",
        f" ! [remote rejected] {sha} -> master (pre-receive hook declined)",
        f"error: failed to push some refs to '{stack}:{app}'",
    ]


def build_rest(types: list[str]) -> list[str]:
    return [
        "       Dependencies installed",
        "-----> Discovering process types",
        f"       Procfile declares types -> {', '.join(types)}",
    ]


def release(app: str) -> list[str]:
    return [
        f"-----> Releasing {app}...",
        "-----> Checking for predeploy task",
        "       No predeploy task found, skipping",
        "-----> Checking for release task",
        "       No release task found, skipping",
    ]


def processes(app: str, containers: list[tuple[str, str]]) -> list[str]:
    lines: list[str] = []
    current = ""
    counts: dict[str, int] = {}
    for name, _ in containers:
        counts[name.split(".")[0]] = counts.get(name.split(".")[0], 0) + 1
    for name, cid in containers:
        ptype = name.split(".")[0]
        if ptype != current:
            lines.append(f"-----> Deploying {ptype} (count={counts[ptype]})")
            current = ptype
        lines += [
            f"       Attempting pre-flight checks ({name})",
            "-----> Executing 1 healthchecks",
            "       Running healthcheck name='default' type='uptime' uptime=10",
            "       Healthcheck succeeded name='default'",
            f"       All checks successful ({name})",
            f"=====> Start of {app} container output ({cid[:12]} {name})",
            "       " + (f"Listening on port 5000 ({name})" if ptype == "web" else "ready"),
            f"=====> End of {app} container output ({cid[:12]} {name})",
        ]
    return lines


def deployed(app: str, stack: str, containers: list[tuple[str, str]], redeploy: bool) -> list[str]:
    return [
        "=====> Processing deployment checks",
        f"-----> Deploying {app} via the docker-local scheduler...",
        *processes(app, containers),
        "-----> Running post-deploy",
        f"-----> Configuring {app}.{stack}.localhost...(using built-in template)",
        "-----> Creating http nginx.conf",
        "       Reloading nginx",
        *(["-----> Shutting down old containers in 60 seconds"] if redeploy else []),
        "=====> Application deployed:",
        f"       http://{app}.{stack}.localhost",
        "",
    ]


def pushed(stack: str, app: str, sha: str, first: bool) -> list[str]:
    branch = "[new branch]     " if first else f"{sha[:7]}..{sha[:7]}"
    return [f"To {stack}:{app}", f" * {branch} {sha} -> master"]


def config_set(values: Mapping[str, str]) -> list[str]:
    return ["-----> Setting config vars", *(f"       {key}:  {value}" for key, value in values.items())]


def config_unset(keys: list[str]) -> list[str]:
    return [f"-----> Unsetting {key}" for key in keys]


def log_line(name: str, position: int, cid: str, number: int, moment: float) -> str:
    """One ``docker logs -t`` line of container ``name``, coloured per container like dokku."""
    ptype = name.split(".")[0]
    if number == 0:
        message = "Listening on port 5000" if ptype == "web" else f"{ptype} ready"
    else:
        digest = hashlib.sha256(f"{cid}:{number}".encode()).digest()
        if ptype == "web":
            path = _PATHS[digest[0] % len(_PATHS)]
            status = (200, 200, 200, 304, 404)[digest[1] % 5]
            message = f'10.0.0.{digest[2] % 250 + 2} - - "GET {path} HTTP/1.1" {status} {digest[3] * 7}'
        else:
            message = f"processed job {int.from_bytes(digest[:3], 'big')} in {digest[4] % 90 + 3}ms"
    stamp = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    nanos = (int(moment * 1e9) + number * 7919) % 1_000_000_000
    colour = LOG_COLOURS[position % len(LOG_COLOURS)]
    return f"\x1b[{colour}m{stamp}.{nanos:09d}Z app[{name}]:\x1b[0m {message}"
