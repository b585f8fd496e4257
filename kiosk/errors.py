"""The kiosk's errors, under the project's root `BackstepError`; leaves also inherit a builtin."""

from __future__ import annotations

from vision.errors import BackstepError

__all__ = ["BackstepError", "ConfigError", "ImportFileError", "KioskError", "StorageError"]


class KioskError(BackstepError):
    """Root of the errors the kiosk raises on purpose (`BackstepError` is the project's root).

    Leaves also inherit a builtin (as gpiozero's ``exc.py`` does), so a caller can catch
    either a Backstep class or the builtin it already expects.
    """


class ConfigError(KioskError, ValueError):
    """The staff configuration file is missing, unreadable or invalid."""


class StorageError(KioskError, OSError):
    """The database cannot be opened, read or written (locked, corrupt, full, read-only)."""


class ImportFileError(KioskError, ValueError):
    """A members file (CSV) is malformed; ``problems`` lists every bad line and reason."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[int, str]] = list(problems or [])
