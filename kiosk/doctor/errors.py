"""The doctor's errors: a probe that did not answer in time."""

from __future__ import annotations

from kiosk.errors import KioskError


class ProbeTimeout(KioskError, TimeoutError):
    """A probe did not finish within its time limit."""
