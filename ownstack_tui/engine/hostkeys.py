"""Host-key errors as the front ends see them (re-exported so the UI needs no backend imports)."""

from __future__ import annotations

from ownstack_tui.backends.dokku.errors import HostKeyChanged, HostKeyError, UnknownHostKey

__all__ = ["HostKeyChanged", "HostKeyError", "UnknownHostKey"]
