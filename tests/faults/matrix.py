"""The fault matrix as data: each fault on ONE stack × each operation → the expected outcome.

Pure data, no fixtures: the suite (test_fault_matrix.py) runs every cell, and
docs/RELIABILITY.md is rendered from the same cells (``python -m tests.faults.render``), so the
published table cannot drift from what is tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SICK = "prod-east"  # the one stack a fault is put on
HEALTHY = ("staging", "prod-west")

# The fleet file's [timeouts] for the matrix: small, so a hanging host costs seconds, not minutes
# (each hang or freeze cell waits one of them out; a healthy stack answers in milliseconds).
CONNECT_TIMEOUT = 1.5
COMMAND_TIMEOUT = 2.5
# A build silent this long is stuck; the sandbox's builds print every few ms. Kept apart from
# COMMAND_TIMEOUT: no cell waits it out, and a healthy build on a loaded machine must not trip it.
BUILD_SILENCE = 5
# Start-up, handshakes and the healthy stacks' own work on a loaded 2-core machine (the console
# cells run a Textual app and real SSH in one process: under load they took up to 4 s past the
# connect timeout).
SLACK = 5.5


@dataclass(frozen=True)
class Fault:
    name: str
    what: str  # the fault, as the table says it
    fragment: str  # what the sick stack's line must say (lower case)
    ops: tuple[str, ...]  # the operations this fault concerns
    bound: float  # seconds the whole operation may take
    sick_fails: bool = True  # False: the stack is slow, not broken; every stack succeeds
    via: str = "ssh"
    behind_sshd: bool = True  # also run with the sick stack behind a real OpenSSH sshd
    exit: int | None = None  # the exit status, when it is not 1 (sick) / 0 (slow)
    console_says: str = ""  # what the console shows instead of the fragment, when it differs


@dataclass(frozen=True)
class Operation:
    name: str
    argv: tuple[str, ...]  # "{app}" and "{stack}" are filled in per cell
    what: str
    console: bool = False  # driven through the console's keys (a Pilot), not a command


@dataclass(frozen=True)
class Cell:
    fault: Fault
    operation: Operation
    status: int = field(init=False)

    def __post_init__(self) -> None:
        default = 1 if self.fault.sick_fails else 0
        object.__setattr__(self, "status", default if self.fault.exit is None else self.fault.exit)

    @property
    def behind_sshd(self) -> bool:
        return self.fault.behind_sshd and self.fault.via == "ssh" and self.operation.name in SSHD_OPS

    @property
    def says(self) -> str:
        """What the sick stack's line must say, as the table shows it."""
        if not self.fault.sick_fails:
            return "succeeds on every stack"
        if self.operation.console and self.fault.console_says:
            return self.fault.console_says
        return f"`{self.fault.fragment}`"

    @property
    def id(self) -> str:
        return f"{self.fault.name}-{self.operation.name}"


OPERATIONS = {
    op.name: op
    for op in (
        Operation("deploy", ("deploy", "{app}", "--wait"), "`deploy --wait` (every stack)"),
        Operation("app-info", ("app", "info", "{app}"), "`app info`"),
        Operation("stacks", ("stacks",), "`stacks`"),
        Operation("status", ("status", "--app", "{app}"), "`status` (every stack's health)"),
        Operation("config-set", ("config:set", "--app", "{app}", "MATRIX_KEY=v a$l'ue"), "`config:set`"),
        Operation("config-apply", ("config:apply", "--app", "{app}"), "`config:apply`"),
        Operation(
            "ps-scale", ("ps:scale", "--app", "{app}", "--stack", "{stack}", "worker=1"),
            "`ps:scale` (on the sick stack)",
        ),
        Operation("logs", ("logs", "--app", "{app}", "--tail", "5"), "`logs --tail` (every stack)"),
        Operation(
            "logs-follow", ("logs", "--app", "{app}", "--follow", "--tail", "5"),
            "`logs --follow` (every stack, until Ctrl-C)",
        ),
        Operation("api-deploy", ("--via", "api", "deploy", "{app}", "--wait"), "`--via api deploy --wait`"),
        Operation("api-app-info", ("--via", "api", "app", "info", "{app}"), "`--via api app info`"),
        Operation(
            "console-refresh", (), "console refresh (sidebar; the cause in the Config tab or a "
            "notification)", console=True,
        ),
        Operation(
            "console-deploy", (), "console deploy (`d`, `y`: the pane's title and subtitle)",
            console=True,
        ),
    )
}

# The operations run again with the sick stack behind a real sshd (a subset: sshd costs ~40 ms
# a handshake and one process per command).
SSHD_OPS = ("deploy", "config-set")
SSH_OPS = ("deploy", "app-info", "stacks", "status", "config-set", "config-apply", "ps-scale", "logs")
REFRESH = ("console-refresh",)
CONSOLE = ("console-refresh", "console-deploy")
QUICK = 10.0  # a refused or failed connection is known at once

FAULTS = {
    fault.name: fault
    for fault in (
        Fault("unreachable", "connection refused", "connection refused", SSH_OPS + CONSOLE, QUICK),
        Fault(
            "hang", "accepts TCP, never speaks SSH", "no ssh answer", SSH_OPS + CONSOLE,
            CONNECT_TIMEOUT + SLACK, behind_sshd=False,
        ),
        Fault(
            "freeze-after-auth", "logs in, then never answers", "timed out", SSH_OPS,
            COMMAND_TIMEOUT + SLACK, behind_sshd=False,
        ),
        Fault(
            "auth-refused", "our key is refused", "refused our ssh keys", SSH_OPS + CONSOLE, QUICK
        ),
        Fault(
            "unknown-host-key", "host key not in known_hosts", "unknown host key",
            SSH_OPS + REFRESH, QUICK, console_says="the host-key modal asks (fingerprint shown)",
        ),
        Fault(
            "changed-host-key", "host key changed", "host key changed", SSH_OPS + CONSOLE, QUICK
        ),
        Fault(
            "dropped-mid-build", "connection dropped during the deploy", "connection lost",
            ("deploy", "console-deploy"), QUICK,
        ),
        Fault(
            "dropped-mid-log-tail", "connection dropped while following logs", "log stream lost",
            ("logs-follow",), 20.0, exit=0,
        ),
        Fault(
            "deploy-locked", "dokku's deploy lock held", "deploy lock",
            ("deploy", "console-deploy"), QUICK,
        ),
        Fault(
            "failing-build", "the build fails", "failed to compile",
            ("deploy", "console-deploy"), QUICK,
        ),
        Fault(
            "formation-lock", "app.json formations (no manual scaling)", "formations",
            ("ps-scale",), QUICK,
        ),
        Fault(
            "slow-network", "150 ms round trip", "", SSH_OPS, 20.0, sick_fails=False,
        ),
        Fault(
            "api-401", "the control plane refuses the token", "refused the api token",
            ("api-deploy", "api-app-info"), QUICK, via="api",
        ),
        Fault(
            "api-500-read", "two HTTP 500s, then fine (reads are retried)", "",
            ("api-app-info",), QUICK, sick_fails=False, via="api",
        ),
        Fault(
            "api-500-post", "HTTP 500 on the deploy POST (never retried)", "http 500 on post",
            ("api-deploy",), QUICK, via="api",
        ),
        Fault(
            "api-log-cut", "log stream cut every 4 lines (resumed by offset)", "",
            ("api-deploy",), 20.0, sick_fails=False, via="api",
        ),
    )
}

CELLS = [Cell(fault, OPERATIONS[op]) for fault in FAULTS.values() for op in fault.ops]
