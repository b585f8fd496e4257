"""Exception hierarchy of the kiosk: one root, leaves that also inherit a builtin."""

from __future__ import annotations

__all__ = ["BackstepError", "ConfigError", "ImportFileError", "StorageError"]


class BackstepError(Exception):
    """Root of every error the kiosk raises on purpose.

    Leaves also inherit a builtin (as gpiozero's ``exc.py`` does), so a caller can catch
    either ``BackstepError`` or the builtin it already expects.
    """


class ConfigError(BackstepError, ValueError):
    """The staff configuration file is missing, unreadable or invalid."""


class StorageError(BackstepError, OSError):
    """The database cannot be opened, read or written (locked, corrupt, full, read-only)."""


class ImportFileError(BackstepError, ValueError):
    """A members file (CSV) is malformed; ``problems`` lists every bad line and reason."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[int, str]] = list(problems or [])
