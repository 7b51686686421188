"""The fleet file on disk: read, edit in place, write atomically.

tomlkit keeps the user's comments, order and formatting through every edit. A write goes
to a temp file in the same folder, is fsynced and renamed over the old one (so a crash never
leaves half a file), keeps mode 0600, and is refused if the file changed since we read it.

Reading alone (the console, status) uses the standard library's ``tomllib``: tomlkit is
imported and the editable document parsed only on the first edit, which keeps ~30 ms of
tomlkit off the console's start-up.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ownstack_tui.errors import FleetFileError, InvalidInput
from ownstack_tui.model import validation
from ownstack_tui.model.fleet import Fleet, fleet_from_dict

if TYPE_CHECKING:
    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument

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
        self._original = original  # the bytes read, to refuse a save over someone's change
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
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise FleetFileError(
                f"no fleet file at {path}; add a stack with "
                "'ownstack-tui stack:add NAME --host HOST', or try 'ownstack-tui demo'"
            ) from None
        except OSError as error:
            raise FleetFileError(f"cannot read fleet file {path}: {error.strerror}") from None
        fleet = _read_fleet(path, raw)
        if fleet is None:  # tomlkit reads it now and names what is wrong (or accepts it)
            return cls(path, _parse(path, raw), raw)
        return cls(path, None, raw, fleet)

    @classmethod
    def load_or_new(cls, path: Path) -> FleetFile:
        """The fleet file, or an empty one to be created at ``path`` on the first save."""
        if path.exists():
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
        """Write atomically, refusing if someone else changed the file since we read it."""
        import tomlkit

        if _read_if_exists(self.path) != self._original:
            raise FleetFileError(
                f"fleet file {self.path} changed on disk since it was read; "
                "nothing was written: run the command again"
            )
        text = tomlkit.dumps(self.document)
        data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
        _atomic_write(self.path, data)
        self._original = data

    # -- edits (each re-checks the whole fleet, so a bad edit never reaches the disk) ----

    def add_stack(
        self,
        name: str,
        host: str,
        port: int = 22,
        user: str = "dokku",
        identity: str | None = None,
    ) -> None:
        validation.stack_name(name)
        if name in self.fleet.stacks:
            raise InvalidInput(f"stack {name!r} already exists; remove it first or pick another name")
        import tomlkit

        entry = tomlkit.table()
        entry["host"] = validation.host(host)
        entry["port"] = validation.port(port)
        entry["user"] = validation.ssh_user(user)
        if identity:
            entry["identity"] = identity
        self._super_table("stacks")[name] = entry
        self._recheck()

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

    def set_value(self, key: str, value: object) -> None:
        """A top-level setting such as ``via``."""
        self.document[key] = value
        self._recheck()

    # -- helpers -------------------------------------------------------------------------

    def _recheck(self) -> None:
        self.fleet = fleet_from_dict(self.document.unwrap())

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


def _read_fleet(path: Path, raw: bytes) -> Fleet | None:
    """The fleet, read with the standard library; None when the text is not valid TOML
    (or not UTF-8), so that the caller has tomlkit parse it and word the error."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return fleet_from_dict(data, f"fleet file {path}")


def _parse(path: Path, raw: bytes) -> TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError

    try:
        text = raw.decode("utf-8")
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


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _atomic_write(path: Path, data: bytes) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    # The rename itself must reach the disk too.
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
