"""A stand-in OwnStack control plane on 127.0.0.1, for ``--via api`` tests and the demo.

A real HTTP server (starlette + uvicorn, the optional ``control-plane`` extra:
``pip install 'ownstack-tui[control-plane]'``) implementing docs/api.md by running our own
engine (``Engine`` + ``DokkuBackend``) against the fleet's stacks over SSH.

Public API::

    from ownstack_tui.sandbox.control_plane import start_control_plane, running_control_plane

    handle = start_control_plane(fleet, token, port=0,          # a model.fleet.Fleet
                                 read_only_tokens=(), work_dir=None, known_hosts=None)
    handle.url                 # "http://127.0.0.1:PORT"
    handle.set_faults(slow_ms=2000)            # see ApiFaults: slow_ms, fail_requests,
    handle.set_faults(fail_requests=2)         # always_fail, fail_method,
                                               # drop_log_after_lines, stall_log_at_line
    handle.clear_faults()
    handle.stop()              # also: with start_control_plane(...) as handle: ...

    with running_control_plane(fleet) as (handle, token): ...   # a fresh random token

    # demo --via api: serve a fleet file's stacks, write its [control_plane] url, and set
    # $OWNSTACK_API_TOKEN in this process to a fresh token (restored on leaving):
    with serving_fleet_file(fleet_path) as handle: ...

Stack ids are the fleet's stacks in order from 1; app ids are each app's ``api_id`` (or the
next free id). The token is only ever compared, never logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faults import ApiFaults
    from .server import (
        ControlPlaneHandle,
        running_control_plane,
        serving_fleet_file,
        start_control_plane,
    )

__all__ = [
    "ApiFaults",
    "ControlPlaneHandle",
    "running_control_plane",
    "serving_fleet_file",
    "start_control_plane",
]

_LAZY = {
    "ApiFaults": "faults",
    "ControlPlaneHandle": "server",
    "running_control_plane": "server",
    "serving_fleet_file": "server",
    "start_control_plane": "server",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    try:
        loaded = importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as error:
        if error.name in ("starlette", "uvicorn"):
            from ownstack_tui.errors import InvalidInput

            raise InvalidInput(
                "the control-plane stand-in needs starlette and uvicorn: "
                "pip install 'ownstack-tui[control-plane]'"
            ) from None
        raise
    return getattr(loaded, name)
