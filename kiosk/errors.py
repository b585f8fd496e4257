"""The kiosk's error root, under the project's root `BackstepError`.

Each area keeps its own errors in its own ``errors.py`` (``kiosk/config/errors.py``,
``kiosk/store/errors.py`` ...), all deriving from `KioskError`; leaves also inherit a builtin
(as gpiozero's ``exc.py`` does), so a caller can catch either a Backstep class or the builtin
it already expects.
"""

from __future__ import annotations

from vision.errors import BackstepError

__all__ = ["BackstepError", "KioskError"]


class KioskError(BackstepError):
    """Root of the errors the kiosk raises on purpose (`BackstepError` is the project's root)."""
