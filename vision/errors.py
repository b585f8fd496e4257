"""Exceptions raised by the vision package (one root, leaves also inherit a builtin)."""

from __future__ import annotations


class VisionError(Exception):
    """Root of every error the vision package raises on purpose."""


class ModelError(VisionError, RuntimeError):
    """The pose model is missing, damaged or cannot be provisioned; the message says what to do."""


class SourceError(VisionError, OSError):
    """A frame source failed: a camera was lost or a video file cannot be opened or read."""
