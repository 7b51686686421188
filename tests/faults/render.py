"""docs/RELIABILITY.md from the fault matrix's own cells: `python -m tests.faults.render`."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.faults.matrix import CELLS, CONNECT_TIMEOUT, FAULTS, OPERATIONS, SICK, Cell

DOC = Path(__file__).resolve().parents[2] / "docs" / "RELIABILITY.md"

HEADER = f"""# Reliability: one sick stack, one clear line, bounded time

Generated from `tests/faults/matrix.py` by `python -m tests.faults.render`; a test fails when
this file and the suite disagree. Each row is a test in `tests/faults/test_fault_matrix.py`:
the fault is put on ONE stack ({SICK}) of three sandbox stacks over real SSH (or on the
control-plane stand-in for `--via api`), the operation runs as a user would run it, and the
test checks the exit status, that the sick stack's line names it and the cause, that the
healthy stacks did their work (on the stacks' recorded state), the bound, that nothing printed
a traceback, and that the fleet file and history are consistent afterwards.

Bounds come from the fleet file's `[timeouts]` (the matrix sets `connect = {CONNECT_TIMEOUT}`;
the default is 10 s) plus a few seconds' slack for a loaded two-core machine.
"""


def row(cell: Cell) -> str:
    fault = cell.fault
    says = f"`{fault.fragment}`" if fault.sick_fails else "succeeds on every stack"
    sshd = "yes" if cell.behind_sshd else ""
    return (f"| {fault.what} | {cell.operation.what} | {cell.status} | {says} | {fault.bound:g} s "
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
