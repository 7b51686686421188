"""docs/RELIABILITY.md from the fault matrix's own cells: `python -m tests.faults.render`."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.faults.matrix import CELLS, COMMAND_TIMEOUT, CONNECT_TIMEOUT, FAULTS, OPERATIONS, SICK, Cell

DOC = Path(__file__).resolve().parents[2] / "docs" / "RELIABILITY.md"

HEADER = f"""# Reliability: one sick stack, one clear line, bounded time

Generated from `tests/faults/matrix.py` by `python -m tests.faults.render`; a test fails when
this file and the suite disagree. Each row is a test in `tests/faults/test_fault_matrix.py`:
the fault is put on ONE stack ({SICK}) of three sandbox stacks over real SSH (or on the
control-plane stand-in for `--via api`), the operation runs as a user would run it, and the
test checks the exit status, that the sick stack's line names it and the cause, that the
healthy stacks did their work (on the stacks' recorded state), the bound, that nothing printed
a traceback, and that the fleet file and history are consistent afterwards. The console rows
drive the console with its own keys (a Textual Pilot over real SSH): the sick stack's sidebar
entry says `down` or its deploy pane is failed with the cause in its subtitle, the healthy
stacks show `up` and their SHA or succeeded and run the new commit; they have no exit status.

Bounds come from the fleet file's `[timeouts]` (the matrix sets `connect = {CONNECT_TIMEOUT}`,
`command = {COMMAND_TIMEOUT}`; the defaults are 10 s and 60 s) plus a few seconds' slack for a
loaded two-core machine.
"""


def row(cell: Cell) -> str:
    fault = cell.fault
    sshd = "yes" if cell.behind_sshd else ""
    status = "—" if cell.operation.console else str(cell.status)
    return (f"| {fault.what} | {cell.operation.what} | {status} | {cell.says} | {fault.bound:g} s "
            f"| {sshd} |")


def render() -> str:
    lines = [HEADER, "| fault | operation | exit | the sick stack's line says | bound | also behind sshd |",
             "|---|---|---|---|---|---|"]
    lines += [row(cell) for cell in CELLS]
    lines += ["", f"{len(CELLS)} cells: {len(FAULTS)} faults × {len(OPERATIONS)} operations "
              "(each fault with the operations it concerns).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
