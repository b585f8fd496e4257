"""The running kiosk's errors: a second kiosk on the same data folder."""

from __future__ import annotations

from kiosk.errors import KioskError


class AlreadyRunningError(KioskError, RuntimeError):
    """Another ``backstep run`` holds the data folder's lock."""
