"""Every input rule in one place: names, keys, values, counts, hosts and ports.

Each check raises :class:`InvalidInput` with a one-line message that names the bad value
and says what is accepted, so front ends can print it as-is and exit 2.
"""

from __future__ import annotations

import base64
import difflib
import re
from collections.abc import Iterable, Mapping

from ownstack_tui.errors import InvalidInput

# dokku's own rules (reference/dokku.md §10).
APP_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
LEGACY_APP_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
CONFIG_KEY_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Stack names are ours: they appear in file names, TOML keys and pane titles.
STACK_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Tags group stacks (``tags = ["prod", "us"]``); no ':', ',', '!', '*' or '?', which selectors use.
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
# A glob over stack names: the name characters plus ``*`` (any run) and ``?`` (one character).
STACK_GLOB_RE = re.compile(r"^[a-z0-9*?][a-z0-9*?-]{0,62}$")
PROCESS_TYPE_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$")
HOST_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
USER_RE = re.compile(r"^[a-z_][a-z0-9_-]*\$?$")
GIT_REF_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./@{}^~-]*$")
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./:@-]*$")

RESERVED_KEYS = frozenset({"PORT"})
# Where a rollout records who holds an app's deploy lock on a stack (see model/deploy_lock.py).
DEPLOY_LOCK_KEY = "OWNSTACK_DEPLOY_LOCK"
READ_ONLY_PREFIX = "DOKKU_"
# Keys that service links set on the stack; the fleet never unsets them.
LINKED_SERVICE_KEYS = frozenset({"DATABASE_URL", "REDIS_URL", "MONGO_URL", "MYSQL_URL"})
# The whole SSH command line must stay under the xargs buffer (dokku.md §10).
MAX_REMOTE_COMMAND_BYTES = 120 * 1024
MAX_SCALE_COUNT = 1000
DEFAULT_REFRESH_INTERVAL = 15.0
MIN_REFRESH_INTERVAL = 2.0  # below this, reading every stack is the console's main work
# The longest form of the config:set line a deploy or apply sends (dokku backend's commands.py).
CONFIG_SET_WORDS = ("config:set", "--encoded", "--no-restart")


def app_name(name: str) -> str:
    """An app name as dokku accepts for a new app."""
    if not isinstance(name, str) or not APP_NAME_RE.match(name):
        raise InvalidInput(
            f"invalid app name {name!r}: use lowercase letters, digits, dots and hyphens, "
            "starting with a letter or digit"
        )
    return name


def existing_app_name(name: str) -> str:
    """An app name dokku still accepts for an existing app (legacy underscores allowed)."""
    if not isinstance(name, str) or not LEGACY_APP_NAME_RE.match(name):
        raise InvalidInput(
            f"invalid app name {name!r}: use lowercase letters, digits, dots, hyphens "
            "and underscores, starting with a letter or digit"
        )
    return name


def stack_name(name: str) -> str:
    if not isinstance(name, str) or not STACK_NAME_RE.match(name):
        raise InvalidInput(
            f"invalid stack name {name!r}: use 1-63 lowercase letters, digits and hyphens, "
            "starting with a letter or digit"
        )
    return name


def tag(value: str) -> str:
    """A stack's tag, e.g. ``prod``, ``us-east``, ``tier_a``."""
    if not isinstance(value, str) or not TAG_RE.match(value):
        raise InvalidInput(
            f"invalid tag {value!r}: use 1-63 lowercase letters, digits, hyphens, underscores "
            "and dots, starting with a letter or digit"
        )
    return value


def group_tags(value: object, key: str = "console.group_by") -> tuple[str, ...]:
    """The tags the console's sidebar groups stacks by, in order (``["prod", "staging"]``):
    from the fleet file's list or the console's prompt (already split); none clears it."""
    example = 'e.g. ["prod", "staging"]'
    if not isinstance(value, list | tuple) or not all(isinstance(name, str) for name in value):
        raise InvalidInput(f"{key} must be a list of tags, {example}")
    for index, name in enumerate(value):
        try:
            tag(name)
        except InvalidInput as error:
            raise InvalidInput(f"{key}: {error}") from None
        if name in value[:index]:
            raise InvalidInput(f"{key} names {name} twice; remove the duplicate")
    return tuple(value)


def stack_glob(value: str) -> str:
    """A pattern over stack names: ``*`` any run of characters, ``?`` one character."""
    if not isinstance(value, str) or not STACK_GLOB_RE.match(value):
        raise InvalidInput(
            f"invalid pattern {value!r}: use stack-name characters (lowercase letters, digits, "
            "hyphens) with * for any run and ? for one character"
        )
    return value


def config_key(key: str) -> str:
    """A key dokku can store (letters, digits, underscore; not starting with a digit)."""
    if not isinstance(key, str) or not CONFIG_KEY_RE.match(key):
        raise InvalidInput(
            f"invalid config key {key!r}: use letters, digits and underscores, "
            "not starting with a digit"
        )
    return key


def writable_config_key(key: str) -> str:
    """A key the fleet may set or unset: valid, not PORT, not DOKKU_*."""
    config_key(key)
    if key in RESERVED_KEYS:
        raise InvalidInput(f"{key} is reserved: dokku sets it for each process; do not set it")
    if key.startswith(READ_ONLY_PREFIX):
        raise InvalidInput(f"{key} is read-only: DOKKU_* keys belong to dokku itself")
    if key == DEPLOY_LOCK_KEY:
        raise InvalidInput(f"{key} is reserved: ownstack-tui keeps its deploy lock there")
    return key


def config_value(key: str, value: str) -> str:
    """A value dokku's ENV file can hold and give back unchanged (dokku.md §11)."""
    if not isinstance(value, str):
        raise InvalidInput(f"value of {key} must be text")
    if "\x00" in value:
        raise InvalidInput(f"value of {key} contains a NUL byte, which dokku cannot store")
    if value.endswith("\\"):
        raise InvalidInput(
            f"value of {key} ends with a backslash, which dokku's env file cannot read back; "
            "add a character after it"
        )
    if _INTEGER_RE.match(value) and -(2**63) <= int(value) < 2**63 and str(int(value)) != value:
        raise InvalidInput(
            f"value of {key} looks like a number that dokku would store as {int(value)}; "
            "dokku's env file cannot keep it as written"
        )
    if value.endswith('"'):
        raise InvalidInput(
            f"value of {key} ends with a double quote, which dokku's env file reads back "
            "wrongly; add a character after it"
        )
    return value


def scale_count(process_type: str, count: object) -> int:
    """A process count: a whole number from 0 to MAX_SCALE_COUNT."""
    text = str(count).strip()
    if isinstance(count, bool) or not text.isdigit() or not text.isascii():
        raise InvalidInput(
            f"invalid count {count!r} for process type {process_type}: use a whole number >= 0"
        )
    value = int(text)
    if value > MAX_SCALE_COUNT:
        raise InvalidInput(
            f"count {value} for process type {process_type} is too large "
            f"(at most {MAX_SCALE_COUNT})"
        )
    return value


def refresh_interval(value: object, key: str = "refresh_interval") -> float:
    """Seconds between the console's readings of the stacks (``refresh_interval``) or of
    their health (``health_interval``): a number, at least the floor."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(
            f"console.{key} = {value!r} is not a number of seconds (e.g. 15)"
        )
    if not value >= MIN_REFRESH_INTERVAL:  # also refuses nan
        raise InvalidInput(
            f"console.{key} = {value!r} is too short: use at least "
            f"{MIN_REFRESH_INTERVAL:g} seconds"
        )
    return float(value)


MAX_TLS_DAYS = 3650  # a certificate threshold above ten years is a typo


def tls_days(warning: object, critical: object) -> tuple[int, int]:
    """``[health] tls_warning_days`` / ``tls_critical_days``: whole days from 0 to ten years,
    critical no longer than warning."""
    for key, value in (("tls_warning_days", warning), ("tls_critical_days", critical)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TLS_DAYS:
            raise InvalidInput(
                f"health.{key} = {value!r}: give a whole number of days from 0 to {MAX_TLS_DAYS} (e.g. 14)"
            )
    assert isinstance(warning, int) and isinstance(critical, int)
    if critical > warning:
        raise InvalidInput(
            f"health.tls_critical_days = {critical} is above health.tls_warning_days = {warning}: "
            "make critical the shorter time"
        )
    return warning, critical


def process_type(name: str) -> str:
    if not isinstance(name, str) or not PROCESS_TYPE_RE.match(name):
        raise InvalidInput(
            f"invalid process type {name!r}: use letters, digits, hyphens and underscores"
        )
    return name


def host(value: str) -> str:
    if not isinstance(value, str) or not HOST_RE.match(value) or len(value) > 253:
        raise InvalidInput(f"invalid host {value!r}: give a host name or an IP address")
    return value


def port(value: object) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise InvalidInput(f"invalid port {value!r}: use a number from 1 to 65535")
    return int(text)


def ssh_user(value: str) -> str:
    if not isinstance(value, str) or not USER_RE.match(value) or len(value) > 32:
        raise InvalidInput(f"invalid SSH user {value!r}: use a Unix user name such as dokku")
    return value


def git_ref(value: str) -> str:
    """A branch, tag or SHA to push: no spaces, no option-looking words, no '..'."""
    if not isinstance(value, str) or not GIT_REF_RE.match(value) or ".." in value:
        raise InvalidInput(f"invalid git ref {value!r}: give a branch, tag or commit SHA")
    return value


def image_ref(value: str) -> str:
    if not isinstance(value, str) or not IMAGE_RE.match(value):
        raise InvalidInput(
            f"invalid image {value!r}: give an image reference such as registry/app:tag"
        )
    return value


def config_pair(text: str) -> tuple[str, str]:
    """A KEY=VALUE word from the command line (split at the first '=')."""
    key, sep, value = text.partition("=")
    if not sep:
        raise InvalidInput(f"invalid pair {text!r}: write KEY=VALUE")
    writable_config_key(key)
    config_value(key, value)
    return key, value


def scale_pair(text: str) -> tuple[str, int]:
    name, sep, count = text.partition("=")
    if not sep:
        raise InvalidInput(f"invalid scale {text!r}: write TYPE=COUNT, e.g. web=2")
    process_type(name)
    return name, scale_count(name, count)


def is_production_name(name: str) -> bool:
    """Stacks whose names look like production get a confirmation before changes."""
    return bool(re.search(r"(^|[-_.])(prod|production|live|prd)([-_.]|\d|$)", name))


# -- the size of one remote command line --------------------------------------------------------


def encoded_config_value(value: str) -> str:
    """A config value as ``config:set --encoded`` carries it: base64 of its UTF-8 bytes."""
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def remote_command_problem(command: str, size: int) -> str | None:
    """Why a command line of ``size`` bytes cannot be sent, or None when it fits."""
    if size <= MAX_REMOTE_COMMAND_BYTES:
        return None
    return (
        f"{command} would send {size} bytes over SSH; dokku accepts at most "
        f"{MAX_REMOTE_COMMAND_BYTES}: split it into smaller commands"
    )


def config_command_bytes(app: str, values: Mapping[str, str]) -> int:
    """Bytes of the line ``config:set`` sends for ``values`` (app names, keys and base64 need
    no quoting, so this is exactly what the dokku backend builds)."""
    words = [*CONFIG_SET_WORDS, app]
    words += [f"{key}={encoded_config_value(value)}" for key, value in values.items()]
    return len(" ".join(words).encode("utf-8"))


def config_fits(app: str, values: Mapping[str, str], where: str = "") -> None:
    """All of one stack's config must fit in one ``config:set``: a deploy sends it at once.
    ``where`` names the stack (" on stack s1")."""
    size = config_command_bytes(app, values)
    if remote_command_problem("config:set", size) is None:
        return
    largest = max(values, key=lambda key: len(values[key].encode("utf-8")))
    raise InvalidInput(
        f"config of app {app}{where} is too large for dokku: {size} bytes in one config:set, "
        f"at most {MAX_REMOTE_COMMAND_BYTES}; the largest value is {largest} "
        f"({len(values[largest].encode('utf-8'))} bytes): shorten it or store it elsewhere"
    )


# -- the fleet file's own keys ------------------------------------------------------------------


def known_keys(where: str, keys: Iterable[str], known: Iterable[str]) -> None:
    """Refuse a key the fleet file does not define, suggesting the nearest known one."""
    allowed = tuple(known)
    for key in keys:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(allowed)}"
        raise InvalidInput(f"unknown key {key!r} in {where}: {hint}")


_DURATION_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(s|m|h)?$")
_DURATION_UNITS = {None: 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
MAX_DURATION_SECONDS = 7 * 24 * 3600.0


def duration(value: object, what: str = "duration") -> float:
    """Seconds from ``"30s"``, ``"2m"``, ``"1h"``, ``"120"`` or a number (the one duration rule)."""
    if isinstance(value, bool):
        match = None
    elif isinstance(value, (int, float)):
        match = _DURATION_RE.match(repr(float(value))) if value >= 0 else None
    else:
        match = _DURATION_RE.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidInput(
            f"invalid {what} {value!r}: give seconds or a number with s, m or h, e.g. 30s, 2m"
        )
    seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    if seconds > MAX_DURATION_SECONDS:
        raise InvalidInput(f"{what} {value!r} is too long (at most 7 days)")
    return seconds


_HEALTH_PATH_RE = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")


def health_path(value: object) -> str:
    """The app's health URL path, e.g. ``/healthz``: starts with '/', no spaces."""
    if not isinstance(value, str) or len(value) > 200 or not _HEALTH_PATH_RE.match(value):
        raise InvalidInput(f"invalid health_path {value!r}: give a URL path such as /healthz")
    return value
