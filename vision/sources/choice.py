"""The choice of frame source: CSI camera, USB camera, video file or the demo clip."""

from __future__ import annotations

import glob
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

#: Override words understood by `open_source`; anything else is taken as a video file path.
#: "rpicam" is the CSI camera module read through rpicam-vid (what "auto" picks for CSI);
#: "picamera" the same module through the optional apt Picamera2 (only when asked for).
SOURCE_MODES = ("auto", "camera", "usb", "rpicam", "picamera", "file", "demo")


def on_station() -> bool:
    """True under systemd (the station's service): "auto" then never falls back to the demo.

    systemd sets ``INVOCATION_ID`` for every service it starts. On a station a missing
    camera must show as "camera lost" with a staff message, not as a member coached on a
    video; the capture thread keeps retrying, so a camera plugged in later is picked up.
    """
    return bool(os.environ.get("INVOCATION_ID") or os.environ.get("NOTIFY_SOCKET"))


def _video_devices() -> list[str]:
    return sorted(glob.glob("/dev/video*"))


def _open(source: FrameSource) -> FrameSource:
    source.open()
    logger.info("frame source: %s", source.name)
    return source


def _open_camera(cfg: CameraConfig, kind: str) -> FrameSource:
    """A CSI camera ("rpicam", "picamera"), a USB camera ("usb"), or whichever is there
    ("camera": a CSI camera that rpicam-vid lists, else USB)."""
    from vision.sources.rpicam import RpiCamera, list_cameras
    from vision.sources.usb import UsbCamera

    if kind == "picamera":
        from vision.sources.picamera import PiCamera

        return _open(PiCamera.from_config(cfg))
    if kind == "rpicam" or (kind == "camera" and list_cameras()):
        return _open(RpiCamera.from_config(cfg))
    if kind == "camera" and sys.platform.startswith("linux") and not _video_devices():
        raise SourceError(
            "no camera found: no CSI camera (rpicam-vid lists none) and no /dev/video* "
            "device; check the cable, or run with the demo source"
        )
    return _open(UsbCamera.from_config(cfg))


def open_source(cfg: CameraConfig, override: str | None = None) -> FrameSource:
    """Open the frame source the config (or ``override``) asks for, ready to read.

    ``override`` (e.g. from ``--source``) wins over ``cfg.source``: "camera" (CSI, else USB;
    no demo fallback), "usb", "rpicam", "picamera", "demo", "auto", or a video file path.
    "auto" tries a CSI camera (``rpicam-vid --list-cameras`` names one), then the USB camera
    ``cfg.device``, then falls back to the built-in demo clip with a warning. Camera frames
    and file frames are rotated by ``cfg.rotation``; the demo clip is recorded upright and is
    not. Files and the demo loop in real time (what the kiosk wants); ``analyze`` builds its
    own ``VideoFileSource(realtime=False, loop=False)``. Raises `SourceError`.
    """
    from vision.sources.video import VideoFileSource, demo_source

    mode = override if override is not None else cfg.source
    if mode == "demo":
        return _open(demo_source())
    if mode == "auto":
        try:
            return _open_camera(cfg, "camera")
        except SourceError as exc:
            if on_station():
                raise SourceError(
                    f"{exc} (on the station the demo clip never stands in for the camera; "
                    "plug one in and it is picked up without a restart)"
                ) from exc
            logger.warning(
                "no camera available (%s); playing the built-in demo clip, labelled DEMO, "
                "nothing recorded",
                exc,
            )
            return _open(demo_source())
    if mode in ("camera", "usb", "rpicam", "picamera"):
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
    from vision.sources.picamera import PiCamera
    from vision.sources.rpicam import RpiCamera
    from vision.sources.usb import UsbCamera
    from vision.sources.video import VideoFileSource, demo_path

    if isinstance(source, RpiCamera):
        return "rpicam"
    if isinstance(source, PiCamera):
        return "picamera"
    if isinstance(source, UsbCamera):
        return "usb"
    if isinstance(source, VideoFileSource):
        return "demo" if source.path == demo_path() else str(source.path)
    return override if override is not None else cfg.source
