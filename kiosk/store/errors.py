"""The station database's errors."""

from __future__ import annotations

from kiosk.errors import KioskError


class StorageError(KioskError, OSError):
    """The database cannot be opened, read or written (locked, corrupt, full, read-only)."""
