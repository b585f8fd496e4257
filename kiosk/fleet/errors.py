"""The fleet's errors: the central database unreachable or refusing."""

from __future__ import annotations

from kiosk.errors import KioskError


class FleetError(KioskError, ConnectionError):
    """The central database cannot be reached, or refused what we asked (a staff message)."""
