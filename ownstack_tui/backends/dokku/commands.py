"""The one place that turns dokku words into the command line sent over SSH (dokku.md §1).

dokku's SSH entry takes ``$SSH_ORIGINAL_COMMAND`` down one of two paths:

* **git path** (the first word contains ``git``, an unanchored regex): the line is split on
  whitespace with no quote removal, so every word must be *bare* and free of spaces, quotes
  and glob characters.
* **everything else**: GNU ``xargs -n 1`` re-reads the words, so each word is quoted with
  :func:`shlex.quote` (valid xargs quoting). ``xargs`` runs ``/bin/echo`` per word, which eats
  words that are echo options (``-n``, ``-e``, ``--version``...), so those are refused, and
  newlines never get through, which is why config values always go ``--encoded``.

Builders return a :class:`RemoteCommand`; its ``display`` hides config values so a command
can be named in errors and logs without leaking secrets.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ownstack_tui.errors import InvalidInput
from ownstack_tui.model import validation

from .errors import CommandTooLong

# Words that travel bare on dokku's git path: no whitespace, quotes, backslashes or globs.
_BARE_WORD_RE = re.compile(r"^[A-Za-z0-9_.:/@%+=,~^{}-]+$")
# Words /bin/echo takes as its own options when xargs runs it with one argument.
_ECHO_OPTION_RE = re.compile(r"^(-[neE]+|--help|--version)$")
_COMMAND_RE = re.compile(r"^[a-z0-9][a-z0-9:_-]*$")
SERVICE_KINDS = ("postgres", "redis")


@dataclass(frozen=True)
class RemoteCommand:
    """A dokku command: its words, the exact line sent over SSH, and a safe display form."""

    words: tuple[str, ...]
    line: str
    display: str

    @property
    def name(self) -> str:
        return self.words[0]

    def __str__(self) -> str:
        return self.display


def is_git_path(first_word: str) -> bool:
    """True when dokku treats the command as a git command (bare words, no xargs)."""
    return "git" in first_word


def build(words: Sequence[str], *, secret_from: int | None = None) -> RemoteCommand:
    """Check and quote ``words`` (command first). Words from index ``secret_from`` on are
    shown as ``KEY=…`` in ``display``. Raises InvalidInput for words SSH cannot carry."""
    words = tuple(words)
    if secret_from is None:
        # A fleet's reading sends the same words to every stack: checked and quoted once.
        # Never for commands with secrets (config values), which are not kept.
        try:
            return _build_plain(words)
        except TypeError:  # a word that is not even hashable: _build says what is wrong
            pass
    return _build(words, secret_from)


@functools.lru_cache(maxsize=512)
def _build_plain(words: tuple[str, ...]) -> RemoteCommand:
    return _build(words, None)


def _build(words: tuple[str, ...], secret_from: int | None) -> RemoteCommand:
    if not words:
        raise InvalidInput("empty dokku command")
    if not isinstance(words[0], str) or not _COMMAND_RE.match(words[0]):
        raise InvalidInput(f"invalid dokku command {words[0]!r}")
    for word in words:
        _check_word(words[0], word)
    quote = (lambda word: word) if is_git_path(words[0]) else shlex.quote
    line = " ".join(quote(word) for word in words)
    display = _display(words, secret_from)
    problem = validation.remote_command_problem(words[0], len(line.encode("utf-8")))
    if problem is not None:
        raise CommandTooLong(problem)
    return RemoteCommand(words=words, line=line, display=display)


def _check_word(command: str, word: object) -> None:
    if not isinstance(word, str):
        raise InvalidInput(f"{command}: argument {word!r} is not text")
    if is_git_path(command):
        if not _BARE_WORD_RE.match(word):
            raise InvalidInput(
                f"{command}: argument {word!r} cannot be sent to dokku's git commands "
                "(no spaces, quotes or special characters)"
            )
        return
    if not word:
        # GNU xargs drops an empty quoted word at the end of its input.
        raise InvalidInput(f"{command}: an empty argument cannot be sent to dokku over SSH")
    if any(char in word for char in "\n\r\x00"):
        raise InvalidInput(
            f"{command}: an argument contains a newline or NUL, which SSH cannot carry"
        )
    if _ECHO_OPTION_RE.match(word):
        raise InvalidInput(
            f"{command}: argument {word!r} would be swallowed by dokku's xargs; "
            "use the long form of the option"
        )


def _display(words: tuple[str, ...], secret_from: int | None) -> str:
    if secret_from is None:
        return " ".join(words)
    shown = list(words[:secret_from])
    shown += [word.partition("=")[0] + "=…" for word in words[secret_from:]]
    return " ".join(shown)


def encode_value(value: str) -> str:
    """A config value as ``config:set --encoded`` wants it: base64 of its UTF-8 bytes."""
    return validation.encoded_config_value(value)


# --- builders, one per dokku command we use -------------------------------------------------


def version() -> RemoteCommand:
    return build(["version"])  # not --version: xargs's echo would print its own


def apps_list() -> RemoteCommand:
    return build(["apps:list", "--format", "json"])


def apps_exists(app: str) -> RemoteCommand:
    return build(["apps:exists", validation.existing_app_name(app)])


def apps_create(app: str) -> RemoteCommand:
    return build(["apps:create", validation.app_name(app)])


def apps_destroy(app: str) -> RemoteCommand:
    # Without --force dokku asks for the name on stdin.
    return build(["apps:destroy", validation.existing_app_name(app), "--force"])


def apps_report(app: str, flag: str | None = None) -> RemoteCommand:
    """``--format json`` (with a space) for the whole report, or one ``--app-…`` flag."""
    app = validation.existing_app_name(app)
    if flag is None:
        return build(["apps:report", app, "--format", "json"])
    return build(["apps:report", app, _report_flag(flag, "app")])


def apps_unlock(app: str) -> RemoteCommand:
    return build(["apps:unlock", validation.existing_app_name(app)])


def config_export(app: str) -> RemoteCommand:
    return build(["config:export", "--format", "json", validation.existing_app_name(app)])


def config_set(app: str, values: Mapping[str, str], *, restart: bool = True) -> RemoteCommand:
    """Every value base64-encoded (``--encoded``): newlines, quotes and ``$`` arrive intact."""
    if not values:
        raise InvalidInput("config:set needs at least one KEY=VALUE")
    words = list(validation.CONFIG_SET_WORDS)
    if restart:
        words.remove("--no-restart")
    words.append(validation.existing_app_name(app))
    secret_from = len(words)
    for key, value in values.items():
        validation.writable_config_key(key)
        validation.config_value(key, value)
        words.append(f"{key}={encode_value(value)}")
    return build(words, secret_from=secret_from)


def config_unset(app: str, keys: Iterable[str], *, restart: bool = True) -> RemoteCommand:
    keys = [validation.writable_config_key(key) for key in keys]
    if not keys:
        raise InvalidInput("config:unset needs at least one KEY")
    words = ["config:unset"]
    if not restart:
        words.append("--no-restart")
    words.append(validation.existing_app_name(app))
    return build([*words, *keys])


def ps_scale_show(app: str) -> RemoteCommand:
    return build(["ps:scale", "--format", "json", validation.existing_app_name(app)])


def ps_scale_set(
    app: str, counts: Mapping[str, int], *, skip_deploy: bool = False
) -> RemoteCommand:
    if not counts:
        raise InvalidInput("ps:scale needs at least one TYPE=COUNT")
    words = ["ps:scale"]
    if skip_deploy:
        words.append("--skip-deploy")
    words.append(validation.existing_app_name(app))
    for name, count in counts.items():
        validation.process_type(name)
        words.append(f"{name}={validation.scale_count(name, count)}")
    return build(words)


def ps_report(app: str) -> RemoteCommand:
    return build(["ps:report", validation.existing_app_name(app), "--format", "json"])


def ps_restart(app: str, process: str | None = None) -> RemoteCommand:
    words = ["ps:restart", validation.existing_app_name(app)]
    if process is not None:
        words.append(validation.process_type(process))
    return build(words)


def ps_rebuild(app: str) -> RemoteCommand:
    return build(["ps:rebuild", validation.existing_app_name(app)])


def certs_report(app: str) -> RemoteCommand:
    return build(["certs:report", validation.existing_app_name(app), "--format", "json"])


def domains_report(app: str) -> RemoteCommand:
    return build(["domains:report", validation.existing_app_name(app), "--format", "json"])


def letsencrypt_list() -> RemoteCommand:
    """The letsencrypt plugin's list (every app); dokku without the plugin does not know it."""
    return build(["letsencrypt:list"])


def service_name(kind: str, app: str) -> str:
    """The fleet's naming rule for an app's service: ``postgres-<app>``, ``redis-<app>``."""
    return f"{kind}-{app}"


def service(kind: str, action: str, name: str, app: str | None = None) -> RemoteCommand:
    """``<kind>:<action> NAME [APP]`` for create, exists, info, link, linked."""
    if kind not in SERVICE_KINDS:
        raise InvalidInput(f"unknown service kind {kind!r}: use one of {', '.join(SERVICE_KINDS)}")
    if action not in ("create", "exists", "info", "link", "linked", "destroy"):
        raise InvalidInput(f"unsupported service action {action!r}")
    words = [f"{kind}:{action}", validation.existing_app_name(name)]
    if app is not None:
        words.append(validation.existing_app_name(app))
    return build(words)


def git_set(app: str, key: str, value: str | None = None) -> RemoteCommand:
    """``git:set APP KEY [VALUE]``: git path, so words travel bare."""
    words = ["git:set", validation.existing_app_name(app), key]
    if value is not None:
        words.append(validation.git_ref(value) if key == "deploy-branch" else value)
    return build(words)


def git_report(app: str) -> RemoteCommand:
    return build(["git:report", validation.existing_app_name(app), "--format", "json"])


def git_from_image(app: str, image: str) -> RemoteCommand:
    return build(["git:from-image", validation.existing_app_name(app), validation.image_ref(image)])


def receive_pack(app: str) -> RemoteCommand:
    """What ``git push`` runs on the stack; dokku strips the quotes on its git path."""
    app = validation.existing_app_name(app)
    return RemoteCommand(
        words=("git-receive-pack", app), line=f"git-receive-pack '{app}'",
        display=f"git-receive-pack {app}",
    )


def logs(
    app: str, *, num: int = 100, ps: str | None = None, follow: bool = False
) -> RemoteCommand:
    # --num, never -n: xargs's echo eats a bare -n (dokku.md §1).
    if isinstance(num, bool) or not isinstance(num, int) or num < 0:
        raise InvalidInput(f"invalid line count {num!r}: use a whole number >= 0")
    words = ["logs", validation.existing_app_name(app), "--num", str(num)]
    if ps is not None:
        words += ["--ps", validation.process_type(ps)]
    if follow:
        words.append("--tail")
    return build(words)


def _report_flag(flag: str, kind: str) -> str:
    if not re.match(rf"^--{kind}-[a-z0-9.-]+$", flag):
        raise InvalidInput(f"invalid report flag {flag!r}: use --{kind}-<property>")
    return flag


def deploy_lock_set(app: str, record: str) -> RemoteCommand:
    """Our deploy-lock record (model/deploy_lock.py) as an app config value, without a restart.
    Built here, not with config_set: the key is refused as user config on purpose."""
    key = validation.DEPLOY_LOCK_KEY
    words = ["config:set", "--encoded", "--no-restart", validation.existing_app_name(app)]
    return build([*words, f"{key}={encode_value(record)}"], secret_from=len(words))


def deploy_lock_unset(app: str) -> RemoteCommand:
    app = validation.existing_app_name(app)
    return build(["config:unset", "--no-restart", app, validation.DEPLOY_LOCK_KEY])


def urls(app: str) -> RemoteCommand:
    return build(["urls", validation.existing_app_name(app)])
