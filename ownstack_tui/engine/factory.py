"""Pick and open the backend for ``via``; imports it only then, so start-up stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ownstack_tui.backends.base import Backend
from ownstack_tui.engine.engine import Engine
from ownstack_tui.engine.polls import PRODUCTION_POLLS, PollIntervals
from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import Fleet

if TYPE_CHECKING:
    from ownstack_tui.engine.history import History


def open_backend(fleet: Fleet, via: str, *, accept_new_host_keys: bool = False) -> Backend:
    if via == "ssh":
        from ownstack_tui.backends.dokku.backend import DokkuBackend

        return DokkuBackend(fleet, accept_new_host_keys=accept_new_host_keys)
    if via == "api":
        from ownstack_tui.backends.api.backend import ApiBackend

        return ApiBackend.from_fleet(fleet)
    raise InvalidInput(f"--via {via!r} is not one of: ssh, api")


def check_backend_settings(fleet: Fleet, via: str) -> None:
    """Refuse what would stop the backend from opening (no control-plane URL or token), with
    no network, so a command can check before it writes anything."""
    if via == "api":
        from ownstack_tui.backends.api.credentials import resolve

        resolve(fleet)
    elif via != "ssh":
        raise InvalidInput(f"--via {via!r} is not one of: ssh, api")


def open_engine(
    fleet: Fleet, via: str, *, accept_new_host_keys: bool = False, history: History | None = None,
    polls: PollIntervals = PRODUCTION_POLLS,
) -> Engine:
    backend = open_backend(fleet, via, accept_new_host_keys=accept_new_host_keys)
    return Engine(fleet, backend, history=history, polls=polls)
