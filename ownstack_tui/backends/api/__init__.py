"""Through an OwnStack control plane over HTTPS (httpx): the same operations as the SSH backend.

:class:`~.backend.ApiBackend` implements :class:`~ownstack_tui.backends.base.Backend`; every
URL of the contract (docs/api.md) is in :mod:`.endpoints`.
"""
