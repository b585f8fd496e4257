"""The screen's errors: no display."""

from __future__ import annotations

from kiosk.errors import KioskError


class DisplayError(KioskError, RuntimeError):
    """No display could be opened; the message says why and what to do."""
