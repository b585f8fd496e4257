"""The frame-source protocol and the choice of source: CSI camera, USB camera, file or demo."""

from __future__ import annotations

import glob
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.types import Frame

logger = logging.getLogger(__name__)

#: Override words understood by `open_source`; anything else is taken as a video file path.
SOURCE_MODES = ("auto", "camera", "usb", "picamera", "file", "demo")


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


def _video_devices() -> list[str]:
    return sorted(glob.glob("/dev/video*"))


def _open(source: FrameSource) -> FrameSource:
    source.open()
    logger.info("frame source: %s", source.name)
    return source


def _open_camera(cfg: CameraConfig, kind: str) -> FrameSource:
    """A CSI camera (kind "picamera"), a USB camera ("usb"), or whichever is there ("camera")."""
    from vision.camera import UsbCamera
    from vision.picamera import PiCamera, is_picamera_available

    if kind == "picamera" or (kind == "camera" and is_picamera_available()):
        return _open(PiCamera.from_config(cfg))
    if kind == "camera" and sys.platform.startswith("linux") and not _video_devices():
        raise SourceError(
            "no camera found: no CSI camera (picamera2) and no /dev/video* device; "
            "check the cable, or run with the demo source"
        )
    return _open(UsbCamera.from_config(cfg))


def open_source(cfg: CameraConfig, override: str | None = None) -> FrameSource:
    """Open the frame source the config (or ``override``) asks for, ready to read.

    ``override`` (e.g. from ``--source``) wins over ``cfg.source``: "camera" (CSI, else USB;
    no demo fallback), "usb", "picamera", "demo", "auto", or a video file path. "auto" tries
    a CSI camera (picamera2 importable and a camera attached), then the USB camera
    ``cfg.device``, then falls back to the built-in demo clip with a warning. Camera frames
    and file frames are rotated by ``cfg.rotation``; the demo clip is recorded upright and is
    not. Files and the demo loop in real time (what the kiosk wants); ``analyze`` builds its
    own ``VideoFileSource(realtime=False, loop=False)``. Raises `SourceError`.
    """
    from vision.video import VideoFileSource, demo_source

    mode = override if override is not None else cfg.source
    if mode == "demo":
        return _open(demo_source())
    if mode == "auto":
        try:
            return _open_camera(cfg, "camera")
        except SourceError as exc:
            logger.warning("no camera available (%s); playing the built-in demo clip", exc)
            return _open(demo_source())
    if mode in ("camera", "usb", "picamera"):
        return _open_camera(cfg, mode)
    if mode == "file":
        if cfg.file is None:
            raise SourceError("camera.source is 'file' but camera.file is not set")
        path = Path(cfg.file)
    else:
        path = Path(mode)
    return _open(VideoFileSource(path, realtime=True, loop=True, rotation=cfg.rotation))


def source_factory(cfg: CameraConfig, override: str | None = None) -> Callable[[], FrameSource]:
    """A factory for `CaptureThread`: each call opens a source as `open_source` would.

    The first successful call pins what "auto" or "camera" resolved to (CSI, USB or demo);
    later calls (reconnects) reopen that same kind. Otherwise a USB camera unplugged for a
    second would be silently replaced by the demo clip, and the kiosk would coach a video.
    """
    pinned: str | None = None

    def make() -> FrameSource:
        nonlocal pinned
        source = open_source(cfg, pinned if pinned is not None else override)
        if pinned is None:
            pinned = _kind_of(source, cfg, override)
        return source

    return make


def _kind_of(source: FrameSource, cfg: CameraConfig, override: str | None) -> str | None:
    from vision.camera import UsbCamera
    from vision.picamera import PiCamera
    from vision.video import VideoFileSource, demo_path

    if isinstance(source, PiCamera):
        return "picamera"
    if isinstance(source, UsbCamera):
        return "usb"
    if isinstance(source, VideoFileSource):
        return "demo" if source.path == demo_path() else str(source.path)
    return override if override is not None else cfg.source
