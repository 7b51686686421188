"""What every plain command gets: the parsed options and the fleet file, loaded once."""

from __future__ import annotations

import argparse
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ownstack_tui.errors import FleetFileError
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.fleet import Fleet

# A fleet of hundreds of stacks is a few dozen KiB; anything near this is the wrong file.
MAX_FLEET_FILE_BYTES = 1 << 20


def check_fleet_path(path: Path) -> None:
    """Refuse, without reading it, a fleet path that is a device, a pipe or far too big
    (``--fleet /dev/zero`` would be read forever). A missing file is left to the loader."""
    try:
        info = path.stat()
    except OSError:
        return
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise FleetFileError(f"fleet file {path} is not a regular file; give the path of a .toml file")
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FLEET_FILE_BYTES:
        raise FleetFileError(
            f"fleet file {path} is {info.st_size / (1 << 20):.1f} MiB, over the 1 MiB a fleet "
            "file may be; check that --fleet names the right file"
        )


@dataclass
class Context:
    fleet_path: Path
    via_option: str | None
    json: bool
    args: argparse.Namespace
    _file: FleetFile | None = field(default=None, repr=False)

    def fleet_file(self, create: bool = False) -> FleetFile:
        """The fleet file; with ``create``, an empty one when none exists yet."""
        if self._file is None:
            path = self.fleet_path
            check_fleet_path(path)
            self._file = FleetFile.load_or_new(path) if create else FleetFile.load(path)
        return self._file

    @property
    def fleet(self) -> Fleet:
        return self.fleet_file().fleet

    @property
    def via(self) -> str:
        return self.via_option or self.fleet.via
