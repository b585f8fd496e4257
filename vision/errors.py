"""The project's exception root and the vision package's errors (leaves also inherit a builtin).

The root lives here because ``vision`` is the lowest layer: ``hw`` and ``kiosk`` derive their
area bases from `BackstepError`, as gpiozero's ``exc.py`` does for its whole library, so a
caller can catch every deliberate Backstep error with one class, or the builtin it expects.
"""

from __future__ import annotations


class BackstepError(Exception):
    """Root of every error Backstep raises on purpose (vision, hardware and kiosk)."""


class VisionError(BackstepError):
    """Root of the errors the vision package raises on purpose."""


class ModelError(VisionError, RuntimeError):
    """The pose model is missing, damaged or cannot be provisioned; the message says what to do."""


class SourceError(VisionError, OSError):
    """A frame source failed: a camera was lost or a video file cannot be opened or read."""
