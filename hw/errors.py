"""Exceptions of the hardware layer; leaves also inherit a builtin so callers may catch either."""

from __future__ import annotations

from vision.errors import BackstepError


class HardwareError(BackstepError):
    """Root of every error raised by ``hw``."""


class NoGpio(HardwareError, RuntimeError):
    """No pin factory could be loaded (not a Pi, library missing, or GPIO disabled)."""
