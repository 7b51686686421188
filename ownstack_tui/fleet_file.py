"""The fleet file on disk: read, edit in place, write atomically.

tomlkit keeps the user's comments, order and formatting through every edit. A write goes
to a temp file in the same folder, is fsynced and renamed over the old one (so a crash never
leaves half a file) and keeps mode 0600. Writers take a lock on a sibling ``.NAME.lock`` file
from the changed-on-disk check to the rename: when another process changed the file since we
read it, our edits are applied again on its content (or refused when they no longer fit), so
no edit is lost and none is reported done that was not written. A symlinked fleet file is
written through to its target; a read-only one (no owner write bit) is never replaced.

Reading alone (the console, status) uses the standard library's ``tomllib`` (or, for a file
in the plain subset, :mod:`ownstack_tui.toml_subset`): tomlkit is imported and the editable
document parsed only on the first edit, which keeps ~30 ms of tomlkit off the console's
start-up.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.model.fleet import Fleet, fleet_from_dict
from ownstack_tui.toml_subset import loads_plain

if TYPE_CHECKING:
    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument

# A fleet file is a few KB; a bigger "fleet file" is a wrong path (--fleet /dev/zero).
MAX_FLEET_FILE_BYTES = 1024 * 1024
# How long a writer waits for another one to finish its write before giving up.
LOCK_WAIT_SECONDS = 5.0
_BOM = b"\xef\xbb\xbf"

P = ParamSpec("P")
R = TypeVar("R")


def _edit(method: Callable[P, R]) -> Callable[P, R]:
    """An edit of the document: all or nothing (a refused edit leaves the document as it was),
    and remembered, so that it can be applied again if the file changes before our save."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        assert isinstance(self, FleetFile)
        before = self.document.as_string()
        try:
            result = method(*args, **kwargs)
        except BaseException:
            self._document = _parse(self.path, before.encode("utf-8"))
            raise
        self._edits.append((method.__name__, args[1:], kwargs))
        return result

    return wrapper


NEW_FILE_HEADER = (
    "# ownstack-tui fleet: the dokku hosts (stacks) and the apps deployed to them.\n"
    "# Edit by hand or with ownstack-tui; comments and order are kept.\n"
)


class FleetFile:
    """One fleet file: its TOML document, the checked Fleet it describes, and where it lives."""

    def __init__(
        self,
        path: Path,
        document: TOMLDocument | None,
        original: bytes | None,
        fleet: Fleet | None = None,
    ) -> None:
        """``document`` may be None when ``fleet`` was read from ``original`` already: the
        editable document is then parsed from ``original`` on first use."""
        self.path = path
        self._document = document
        self._original = original  # the bytes read, to notice someone else's change
        self._edits: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        if fleet is None:
            fleet = fleet_from_dict(self.document.unwrap(), f"fleet file {path}")
        self.fleet: Fleet = fleet

    @property
    def document(self) -> TOMLDocument:
        """The editable TOML document (comments and order kept)."""
        if self._document is None:
            assert self._original is not None  # a new file always starts with a document
            self._document = _parse(self.path, self._original)
        return self._document

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> FleetFile:
        """Read an existing fleet file; a missing one is an error naming how to start one."""
        raw = _read(path)
        if raw is None:
            raise FleetFileError(
                f"no fleet file at {path}; add a stack with "
                "'ownstack-tui stack:add NAME --host HOST', or try 'ownstack-tui demo'"
            )
        fleet = _read_fleet(path, raw)
        if fleet is None:  # tomlkit reads it now and names what is wrong (or accepts it)
            return cls(path, _parse(path, raw), raw)
        return cls(path, None, raw, fleet)

    @classmethod
    def load_or_new(cls, path: Path) -> FleetFile:
        """The fleet file, or an empty one to be created at ``path`` on the first save."""
        if path.exists() or path.is_symlink():
            return cls.load(path)
        import tomlkit

        document = tomlkit.parse(NEW_FILE_HEADER)
        document.add("via", "ssh")
        return cls(path, document, None)

    @property
    def exists(self) -> bool:
        return self._original is not None

    # -- writing -----------------------------------------------------------------------

    def save(self) -> None:
        """Write atomically under the writers' lock. If the file changed since we read it, our
        edits are applied again on the new content; if they no longer fit, nothing is written."""
        import tomlkit

        target = _write_target(self.path)
        with _writer_lock(self.path, target):
            current = _read(self.path)
            if current != self._original:
                self._reapply_on(current)
            if current is not None:
                _refuse_read_only(self.path, target)
            text = tomlkit.dumps(self.document)
            data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
            _atomic_write(self.path, target, data)
        self._original = data
        self._edits.clear()

    def _reapply_on(self, current: bytes | None) -> None:
        """Someone else wrote the file after we read it: redo our edits on their version."""
        import tomlkit

        if current is None:
            fresh = FleetFile(self.path, tomlkit.parse(NEW_FILE_HEADER), None)
            fresh.document.add("via", "ssh")
        else:
            fresh = FleetFile(self.path, _parse(self.path, _strip_bom(current)), current)
        for name, args, kwargs in self._edits:
            try:
                getattr(fresh, name)(*args, **kwargs)
            except InvalidInput as error:
                raise FleetFileError(
                    f"fleet file {self.path} was changed by someone else meanwhile and this "
                    f"edit no longer applies ({error}); nothing was written: check and run again"
                ) from None
        self._document = fresh.document
        self._original = current
        self.fleet = fresh.fleet

    # -- edits (each re-checks the whole fleet, so a bad edit never reaches the disk) ----

    @_edit
    def add_stack(
        self,
        name: str,
        host: str,
        port: int = 22,
        user: str = "dokku",
        identity: str | None = None,
        tags: Iterable[str] = (),
    ) -> None:
        self._put_stack(name, host, port, user, identity, tags)
        self._recheck()

    @_edit
    def add_stacks(self, stacks: Sequence[Mapping[str, Any]]) -> None:
        """Several stacks in one edit, each given as add_stack's keyword arguments: one
        check of the fleet instead of one per stack (200 single adds took ~3 s)."""
        for stack in stacks:
            self._put_stack(**stack)
        self._recheck()

    def _put_stack(
        self,
        name: str,
        host: str,
        port: int = 22,
        user: str = "dokku",
        identity: str | None = None,
        tags: Iterable[str] = (),
    ) -> None:
        validation.stack_name(name)
        if name in self.fleet.stacks or name in self.document.get("stacks", {}):
            raise InvalidInput(f"stack {name!r} already exists; remove it first or pick another name")
        import tomlkit

        entry = tomlkit.table()
        entry["host"] = validation.host(host)
        entry["port"] = validation.port(port)
        entry["user"] = validation.ssh_user(user)
        if identity:
            entry["identity"] = identity
        wanted = list(dict.fromkeys(validation.tag(tag) for tag in tags))
        if wanted:
            entry["tags"] = wanted
        self._super_table("stacks")[name] = entry

    @_edit
    def tag_stack(self, name: str, tags: Iterable[str]) -> list[str]:
        """Add tags to a stack; returns those it did not have yet."""
        current = self.fleet.stack(name).tags
        added = [tag for tag in dict.fromkeys(validation.tag(tag) for tag in tags) if tag not in current]
        if added:
            table = self.document["stacks"][name]
            if "tags" not in table:
                table["tags"] = []
            for tag in added:
                table["tags"].append(tag)
            self._recheck()
        return added

    @_edit
    def untag_stack(self, name: str, tags: Iterable[str]) -> list[str]:
        """Remove tags from a stack; returns those it had."""
        current = self.fleet.stack(name).tags
        removed = [tag for tag in dict.fromkeys(validation.tag(tag) for tag in tags) if tag in current]
        if removed:
            table = self.document["stacks"][name]
            for tag in removed:
                table["tags"].remove(tag)
            if not table["tags"]:
                del table["tags"]
            self._recheck()
        return removed

    @_edit
    def remove_stack(self, name: str) -> None:
        self.fleet.stack(name)
        users = [app.name for app in self.fleet.apps.values() if name in app.stacks]
        if users:
            raise InvalidInput(
                f"stack {name} is a target of {', '.join(users)}; first run "
                + "; ".join(f"ownstack-tui app stacks:remove {app} {name}" for app in users)
            )
        del self.document["stacks"][name]
        for app in self.fleet.apps.values():
            overrides = self._app_table(app.name).get("stack_config")
            if overrides is not None and name in overrides:
                del overrides[name]
        self._recheck()

    @_edit
    def add_app(
        self,
        name: str,
        repo: str | None,
        branch: str = "main",
        needs_postgres: bool = True,
        stacks: Iterable[str] = (),
    ) -> None:
        validation.app_name(name)
        validation.git_ref(branch)
        if name in self.fleet.apps:
            raise InvalidInput(f"app {name!r} already exists in the fleet")
        targets = list(stacks)
        for stack in targets:
            self.fleet.stack(stack)
        import tomlkit

        entry = tomlkit.table()
        if repo:
            entry["repo"] = repo
        entry["branch"] = branch
        entry["stacks"] = targets
        entry["needs_postgres"] = needs_postgres
        self._super_table("apps")[name] = entry
        self._recheck()

    @_edit
    def add_target(self, app: str, stack: str) -> bool:
        """Make ``stack`` a target of ``app``. False when it already was."""
        current = self.fleet.app(app)
        self.fleet.stack(stack)
        if stack in current.stacks:
            return False
        table = self._app_table(app)
        if "stacks" not in table:
            table["stacks"] = []
        table["stacks"].append(stack)
        self._recheck()
        return True

    @_edit
    def remove_target(self, app: str, stack: str) -> None:
        current = self.fleet.app(app)
        if stack not in current.stacks:
            raise InvalidInput(
                f"stack {stack!r} is not a target of app {app}; "
                f"its stacks: {', '.join(current.stacks) or '(none)'}"
            )
        targets = self._app_table(app)["stacks"]
        targets.remove(stack)
        self._recheck()

    @_edit
    def set_config(self, app: str, stack: str | None, values: Mapping[str, str]) -> None:
        """Set app-level vars (stack None) or one stack's overrides."""
        self._check_config_scope(app, stack)
        for key, value in values.items():
            validation.writable_config_key(key)
            validation.config_value(key, value)
        table = self._config_table(app, stack, create=True)
        assert table is not None
        for key, value in values.items():
            table[key] = value
        self._recheck()

    @_edit
    def unset_config(self, app: str, stack: str | None, keys: Iterable[str]) -> list[str]:
        """Remove keys from a layer; returns the keys that were there."""
        self._check_config_scope(app, stack)
        table = self._config_table(app, stack, create=False)
        removed = []
        for key in keys:
            validation.writable_config_key(key)
            if table is not None and key in table:
                del table[key]
                removed.append(key)
        self._recheck()
        return removed

    @_edit
    def set_value(self, key: str, value: object) -> None:
        """A top-level setting such as ``via``."""
        self.document[key] = value
        self._recheck()

    # -- helpers -------------------------------------------------------------------------

    def _recheck(self) -> None:
        self.fleet = fleet_from_dict(self.document.unwrap(), source=None)

    def _super_table(self, name: str) -> Table:
        import tomlkit

        if name not in self.document:
            self.document[name] = tomlkit.table(is_super_table=True)
        return self.document[name]

    def _app_table(self, app: str) -> Table:
        return self.document["apps"][app]

    def _check_config_scope(self, app: str, stack: str | None) -> None:
        current = self.fleet.app(app)
        if stack is not None:
            self.fleet.stack(stack)
            if stack not in current.stacks:
                raise InvalidInput(
                    f"stack {stack!r} is not a target of app {app}; add it with "
                    f"'ownstack-tui app stacks:add {app} {stack}'"
                )

    def _config_table(self, app: str, stack: str | None, create: bool) -> Table | None:
        import tomlkit

        table = self._app_table(app)
        if stack is None:
            if "config" not in table and create:
                table["config"] = tomlkit.table()
            return table.get("config")
        if "stack_config" not in table:
            if not create:
                return None
            table["stack_config"] = tomlkit.table(is_super_table=True)
        overrides = table["stack_config"]
        if stack not in overrides:
            if not create:
                return None
            overrides[stack] = tomlkit.table()
        return overrides[stack]


def _read(path: Path) -> bytes | None:
    """The file's bytes (None when there is none), capped: a huge file is a wrong path."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FLEET_FILE_BYTES + 1)
    except FileNotFoundError:
        if path.is_symlink():
            raise FleetFileError(
                f"fleet file {path} is a symbolic link to {os.readlink(path)}, which does not "
                "exist; fix the link or give another --fleet"
            ) from None
        return None
    except OSError as error:
        hint = _read_hint(error)
        raise FleetFileError(f"cannot read fleet file {path}: {error.strerror}; {hint}") from None
    if len(raw) > MAX_FLEET_FILE_BYTES:
        raise FleetFileError(
            f"fleet file {path} is larger than {MAX_FLEET_FILE_BYTES // 1024 // 1024} MB, "
            "far more than any fleet; check the --fleet path"
        )
    return raw


def _read_hint(error: OSError) -> str:
    if error.errno == errno.EISDIR:
        return "give the path of a file, e.g. --fleet DIR/fleet.toml"
    if error.errno == errno.ELOOP:
        return "the symbolic links loop: fix the link or give another --fleet"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "make it readable (chmod u+r) or give another --fleet"
    return "check the --fleet path"


def _strip_bom(raw: bytes) -> bytes:
    # Some Windows editors start UTF-8 files with a byte-order mark; TOML has no use for it.
    return raw[len(_BOM):] if raw.startswith(_BOM) else raw


def _read_fleet(path: Path, raw: bytes) -> Fleet | None:
    """The fleet, read with the standard library; None when the text is not valid TOML
    (or not UTF-8), so that the caller has tomlkit parse it and word the error."""
    try:
        text = _strip_bom(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    data = loads_plain(text)  # the usual plain file, without tomllib's import and parse
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None
    return fleet_from_dict(data, f"fleet file {path}")


def _parse(path: Path, raw: bytes) -> TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError

    try:
        text = _strip_bom(raw).decode("utf-8")
    except UnicodeDecodeError as error:
        raise FleetFileError(
            f"fleet file {path}: not UTF-8 text (byte {error.start}); fix or recreate it"
        ) from None
    try:
        return tomlkit.parse(text)
    except ParseError as error:
        message = re.sub(r" at line \d+ col \d+$", "", str(error))
        raise FleetFileError(
            f"fleet file {path}, line {error.line}, column {error.col + 1}: {message}"
        ) from None
    except TOMLKitError as error:
        raise FleetFileError(f"fleet file {path}: {error}") from None


def _write_target(path: Path) -> Path:
    """Where the bytes go: through a symbolic link to the file it names."""
    if not path.is_symlink():
        return path
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        raise FleetFileError(
            f"fleet file {path}: its symbolic links loop; fix the link or give another --fleet"
        ) from None


def _refuse_read_only(path: Path, target: Path) -> None:
    """A fleet file without its owner's write bit was made read-only on purpose."""
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(target.stat().st_mode)
        if not mode & stat.S_IWUSR:
            raise FleetFileError(
                f"fleet file {path} is read-only (mode {mode:04o}); nothing was written: "
                f"allow edits with 'chmod u+w {target}'"
            )


def _write_error(path: Path, action: str, error: OSError) -> FleetFileError:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"make {path.parent} writable or give another --fleet"
    elif error.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some space and run the command again"
    else:
        hint = "run the command again once that is fixed"
    return FleetFileError(
        f"cannot {action} fleet file {path}: {error.strerror}; nothing was changed: {hint}"
    )


@contextlib.contextmanager
def _writer_lock(path: Path, target: Path) -> Iterator[None]:
    """One writer at a time, from the changed-on-disk check to the rename."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder / f".{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise _write_error(path, "write", error) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise FleetFileError(
                        f"fleet file {path} is being written by another process for over "
                        f"{LOCK_WAIT_SECONDS:.0f} s; nothing was written: run the command again"
                    ) from None
                time.sleep(0.005)
        _remove_stale_temp_files(target)
        yield
    finally:
        os.close(fd)


def _remove_stale_temp_files(target: Path) -> None:
    """Temp files of writers killed mid-write. Only a lock holder writes one, so under the
    lock every temp sibling is a leftover."""
    for leftover in target.parent.glob(f".{_glob_escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _atomic_write(path: Path, target: Path, data: bytes) -> None:
    folder = target.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise _write_error(path, "write", error) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise _write_error(path, "write", error) from None
        raise
    # The rename itself must reach the disk too.
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
