"""The frame-source protocol every camera and file source follows, and image rotation."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from vision.types import Frame


@runtime_checkable
class FrameSource(Protocol):
    """Anything that yields RGB frames: a USB camera, a CSI camera, a video file.

    ``open()`` is idempotent; ``read()`` returns the next `Frame` (RGB uint8, rotated as
    configured, ``t = time.monotonic()`` at capture), ``None`` at the end of a file, and
    raises `SourceError` when a device is lost; ``close()`` is idempotent. ``is_live`` is
    True for cameras (a camera that stops delivering is lost, never "ended").
    """

    name: str
    is_live: bool

    def open(self) -> None:
        """Acquire the device or file; raise `SourceError` with a clear message if impossible."""
        ...

    def read(self) -> Frame | None:
        """The next frame, or None at the end of a file."""
        ...

    def close(self) -> None:
        """Release the device or file; safe to call twice."""
        ...


def rotate_image(image: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate an H x W x C image clockwise by 0, 90, 180 or 270 degrees (a contiguous array).

    Contiguous because MediaPipe's ``mp.Image`` and pygame both refuse strided views.
    """
    if rotation == 0:
        return image
    if rotation not in (90, 180, 270):
        raise ValueError(f"rotation must be 0, 90, 180 or 270 degrees, not {rotation}")
    # np.rot90 turns counter-clockwise for positive k; the config speaks clockwise.
    return np.ascontiguousarray(np.rot90(image, k=-(rotation // 90)))
