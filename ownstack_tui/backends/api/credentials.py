"""Where the control plane's URL and token come from, and which source is in use.

URL: the fleet file's ``[control_plane] url``, else ``$OWNSTACK_API_URL``.
Token, first found wins: ``$OWNSTACK_API_TOKEN``; an app token (``OWNSTACK_APP_TOKEN``) in
the app repo's ``.ownstack-config``; the OwnStack CLI's ``~/.ownstack/config``.
The token is wrapped in :class:`Secret` so it cannot leak through a repr, a log or a message;
only :attr:`Credentials.token_source` (where it came from) is ever shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model.fleet import App, Fleet

URL_ENV = "OWNSTACK_API_URL"
TOKEN_ENV = "OWNSTACK_API_TOKEN"
APP_TOKEN_KEY = "OWNSTACK_APP_TOKEN"
REPO_CONFIG = ".ownstack-config"
# Keys the OwnStack CLI's global config may use for the token.
GLOBAL_TOKEN_KEYS = ("OWNSTACK_API_TOKEN", "api_token", "token")


class Secret:
    """A string that never shows itself: repr and str are masked; ``reveal()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('••••••')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credentials:
    url: str
    token: Secret
    token_source: str  # e.g. "$OWNSTACK_API_TOKEN"; shown in the UI, never the token


def normalise_url(url: str, where: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"control-plane URL {url!r} from {where} is not an http(s) URL")
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and screenshots; the token has its own place.
        raise InvalidInput(
            f"control-plane URL from {where} holds a user or password; "
            f"put the token in ${TOKEN_ENV} instead"
        )
    return url


def resolve_url(fleet: Fleet) -> str:
    if fleet.control_plane_url:
        return normalise_url(fleet.control_plane_url, "the fleet file's [control_plane] url")
    env = os.environ.get(URL_ENV, "").strip()
    if env:
        return normalise_url(env, f"${URL_ENV}")
    raise InvalidInput(
        "no control-plane URL for --via api: set url under [control_plane] in the fleet file "
        f"or export {URL_ENV}=https://..."
    )


def read_key_values(path: Path) -> dict[str, str]:
    """``KEY=value`` or ``key = "value"`` lines; comments, blanks and [sections] skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def global_config_path() -> Path:
    return Path("~", ".ownstack", "config").expanduser()


def _repo_token(apps: Iterable[App]) -> tuple[str, str] | None:
    for app in apps:
        if not app.repo:
            continue
        path = Path(app.repo).expanduser() / REPO_CONFIG
        token = read_key_values(path).get(APP_TOKEN_KEY, "")
        if token:
            return token, f"app token in {path}"
    return None


def resolve_token(fleet: Fleet, app: App | None = None) -> tuple[Secret, str]:
    """The token and a description of its source. ``app`` narrows the repo lookup to one app."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return Secret(env), f"${TOKEN_ENV}"
    apps = [app] if app is not None else list(fleet.apps.values())
    found = _repo_token(apps)
    if found:
        return Secret(found[0]), found[1]
    path = global_config_path()
    values = read_key_values(path)
    for key in GLOBAL_TOKEN_KEYS:
        if values.get(key):
            return Secret(values[key]), str(path).replace(str(Path.home()), "~", 1)
    raise InvalidInput(
        f"no API token for --via api: export {TOKEN_ENV}, put {APP_TOKEN_KEY}=... in the app "
        f"repo's {REPO_CONFIG}, or log in with the OwnStack CLI (~/.ownstack/config)"
    )


def resolve(fleet: Fleet, app: App | None = None) -> Credentials:
    url = resolve_url(fleet)
    token, source = resolve_token(fleet, app)
    return Credentials(url, token, source)
