"""What every plain command gets: the parsed options and the fleet file, loaded once."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from ownstack_tui.engine.polls import PRODUCTION_POLLS, PollIntervals
from ownstack_tui.fleet_file import FleetFile
from ownstack_tui.model.fleet import Fleet


@dataclass
class Context:
    fleet_path: Path
    via_option: str | None
    json: bool
    args: argparse.Namespace
    polls: PollIntervals = PRODUCTION_POLLS  # tests pass short ones; users get these
    _file: FleetFile | None = field(default=None, repr=False)

    def fleet_file(self, create: bool = False) -> FleetFile:
        """The fleet file; with ``create``, an empty one when none exists yet."""
        if self._file is None:
            path = self.fleet_path
            self._file = FleetFile.load_or_new(path) if create else FleetFile.load(path)
        return self._file

    @property
    def fleet(self) -> Fleet:
        return self.fleet_file().fleet

    @property
    def via(self) -> str:
        return self.via_option or self.fleet.via
