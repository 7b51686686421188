"""Sandbox stacks for the fleet benchmarks, served by several processes other than the client's.

``stand_ins(200, per_process=50)`` starts four ``python -m ownstack_tui.sandbox up`` processes
of 50 stacks each, merges their fleet files into one (stack names prefixed ``pN-`` so they stay
unique) and their known_hosts into the client's, and yields a :class:`StandIns`. Keeping the
stand-in stacks out of the client's process means the client's CPU (``time.process_time`` plus
the git and bridge processes it waits for) is the client's alone; what the stand-ins spend is
read from ``/proc`` (:meth:`StandIns.cpu`), since they share this machine's cores with it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ownstack_tui.sandbox.faults import Faults, save_faults

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class StandIns:
    fleet_path: Path
    names: list[str]
    state_dirs: dict[str, Path]
    pids: list[int] = field(default_factory=list)
    repo: Path | None = None

    def cpu(self) -> float:
        """CPU seconds the stand-in processes used so far, with the children they waited for
        (git-receive-pack and the build hooks)."""
        total = 0.0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += sum(int(value) for value in fields[11:15]) / _TICK
        return total

    def set_faults(self, names: list[str] | None = None, **faults: object) -> None:
        for name in names if names is not None else self.names:
            save_faults(self.state_dirs[name], Faults().changed(**faults))
        time.sleep(1.5)  # each sandbox notices changed fault files within a second


def client_cpu() -> float:
    """CPU seconds of this process and of the children it has waited for (git, the bridge)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _quote(text: str) -> str:
    return json.dumps(text)  # a TOML basic string is a JSON string for these paths


@contextmanager
def stand_ins(count: int, per_process: int = 50) -> Iterator[StandIns]:
    """``count`` sandbox stacks in ``ceil(count / per_process)`` processes; yields once all
    listen, stops them (by PID) on exit."""
    with tempfile.TemporaryDirectory(prefix="ownstack-perf-") as name:
        base = Path(name)
        sizes = [min(per_process, count - start) for start in range(0, count, per_process)]
        processes: list[subprocess.Popen[str]] = []
        try:
            for index, size in enumerate(sizes):
                folder = base / f"p{index}"
                env = {**os.environ, "OWNSTACK_TUI_HOME": str(folder / "home")}
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "ownstack_tui.sandbox", "up", "--stacks", str(size),
                         "--dir", str(folder)],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                        env=env,
                    )
                )
            for process in processes:
                assert process.stdout is not None
                for line in process.stdout:
                    if line.startswith("Ctrl-C to stop"):
                        break
                else:
                    raise RuntimeError("a sandbox process did not start")
            yield _merge(base, len(sizes), [p.pid for p in processes])
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


def _merge(base: Path, parts: int, pids: list[int]) -> StandIns:
    import tomllib

    home = base / "home"
    known = home / "data" / "known_hosts"
    known.parent.mkdir(parents=True, exist_ok=True)
    stanzas: list[str] = []
    names: list[str] = []
    state_dirs: dict[str, Path] = {}
    lines: list[str] = []
    fleets = [tomllib.loads((base / f"p{index}" / "fleet.toml").read_text()) for index in range(parts)]
    entries = [
        (index, stack, entry)
        for index, fleet in enumerate(fleets)
        for stack, entry in fleet["stacks"].items()
    ]
    # Round robin over the processes: any first N stacks are spread over all of them.
    entries.sort(key=lambda item: list(fleets[item[0]]["stacks"]).index(item[1]))
    for index, stack, entry in entries:
        merged = f"p{index}-{stack}"
        names.append(merged)
        state_dirs[merged] = base / f"p{index}" / "stacks" / stack
        stanzas.append(
            f"[stacks.{merged}]\nhost = {_quote(entry['host'])}\nport = {entry['port']}\n"
            f"user = {_quote(entry['user'])}\nidentity = {_quote(entry['identity'])}\n"
        )
    for index in range(parts):
        lines.append((base / f"p{index}" / "home" / "data" / "known_hosts").read_text())
    repo = base / "p0" / "shop"
    stanzas.append(
        f"[apps.shop]\nrepo = {_quote(str(repo))}\nbranch = \"main\"\n"
        f"stacks = [{', '.join(_quote(n) for n in names)}]\nneeds_postgres = true\n"
    )
    known.write_text("".join(lines))
    fleet_path = base / "fleet.toml"
    fleet_path.write_text("\n".join(stanzas))
    os.environ["OWNSTACK_TUI_HOME"] = str(home)  # the merged known_hosts, our history
    return StandIns(fleet_path, names, state_dirs, pids, repo)
