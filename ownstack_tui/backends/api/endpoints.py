"""Every URL of the control-plane contract (docs/api.md), in one place.

The public OwnStack API documents only some of these; the rest is the project's own contract,
kept here so it can follow the real API once that is published. Paths are relative to the
control plane's base URL; query parameters are passed separately by the caller.
"""

from __future__ import annotations

APPS = "/api/apps"
STACKS = "/api/stacks"


def app(app_id: int) -> str:
    return f"/api/apps/{app_id}"


def stack(stack_id: int) -> str:
    return f"/api/stacks/{stack_id}"


def deploy(app_id: int) -> str:
    return f"/api/apps/{app_id}/deploy"


def app_deployments(app_id: int) -> str:
    return f"/api/apps/{app_id}/deployments"


def deployment(deployment_id: int | str) -> str:
    return f"/api/deployments/{deployment_id}"


def deployment_log(deployment_id: int | str) -> str:
    return f"/api/deployments/{deployment_id}/log"


def config(app_id: int) -> str:
    return f"/api/apps/{app_id}/config"


def scale(app_id: int) -> str:
    return f"/api/apps/{app_id}/scale"


def runtime_logs(app_id: int) -> str:
    return f"/api/apps/{app_id}/logs"


def targets(app_id: int) -> str:
    return f"/api/apps/{app_id}/stacks"


def target(app_id: int, stack_id: int) -> str:
    return f"/api/apps/{app_id}/stacks/{stack_id}"


def replicate(app_id: int) -> str:
    return f"/api/apps/{app_id}/replicate"


def health(app_id: int) -> str:
    return f"/api/apps/{app_id}/health"


def restart(app_id: int) -> str:
    return f"/api/apps/{app_id}/restart"


def rebuild(app_id: int) -> str:
    return f"/api/apps/{app_id}/rebuild"


def deploy_lock(app_id: int) -> str:
    """The rollout's deploy lock: the app config value ``OWNSTACK_DEPLOY_LOCK`` on one stack,
    read and written apart from the rest of the config (which never shows or takes it)."""
    return f"/api/apps/{app_id}/config/deploy_lock"


def processes(app_id: int) -> str:
    return f"/api/apps/{app_id}/processes"


def urls(app_id: int) -> str:
    return f"/api/apps/{app_id}/urls"
