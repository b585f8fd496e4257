"""The staff config's errors: an unusable file, a file that could not be updated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk.config.problems import ConfigIssue
from kiosk.errors import KioskError


class ConfigError(KioskError, ValueError):
    """The staff configuration file is missing, unreadable or invalid."""


class ConfigFileError(ConfigError):
    """An unusable config file: ``issues`` lists every problem, ``path`` names the file."""

    def __init__(self, path: Path | str, issues: Sequence[ConfigIssue]) -> None:
        self.path = Path(path)
        self.issues = list(issues)
        super().__init__("\n".join(issue.format(self.path) for issue in self.issues))


class ConfigWriteError(KioskError):
    """The staff file could not be updated; it is left exactly as it was."""
