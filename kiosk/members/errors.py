"""The members' errors: a members file that cannot be imported."""

from __future__ import annotations

from kiosk.errors import KioskError


class ImportFileError(KioskError, ValueError):
    """A members file (CSV) is malformed; ``problems`` lists every bad line and reason."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[int, str]] = list(problems or [])
