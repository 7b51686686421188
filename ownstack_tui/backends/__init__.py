"""Backends: one interface (:mod:`.base`), two implementations.

* :mod:`.dokku`: direct to each stack's dokku over SSH (asyncssh, one connection per stack).
* :mod:`.api`: through the OwnStack control plane (httpx).

Nothing is imported here, so the CLI pays only for the backend it uses.
"""
