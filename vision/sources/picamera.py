"""CSI camera modules through Picamera2 (libcamera), imported only when a camera is opened."""

from __future__ import annotations

import logging
import time
from typing import Any

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.sources.base import rotate_image
from vision.types import Frame

logger = logging.getLogger(__name__)

# Bookworm's apt picamera2 is built against numpy 1.24 and breaks when a venv's numpy 2
# shadows it (picamera2 #1088, #1211): the import then fails with a ValueError/ImportError
# about the numpy ABI rather than a plain "no module".
_INSTALL_HINT = (
    "install it with `sudo apt install python3-picamera2` and create the venv with "
    "--system-site-packages (on Bookworm keep numpy 1.24 from apt: numpy 2 breaks it)"
)


def _import_picamera2() -> Any:
    """The ``Picamera2`` class; raises `SourceError` when picamera2 cannot be imported."""
    try:
        from picamera2 import Picamera2  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise SourceError(f"picamera2 is not available ({exc}); {_INSTALL_HINT}") from exc
    except Exception as exc:  # a broken apt stack (numpy ABI) raises anything at import
        raise SourceError(f"picamera2 failed to import ({exc!r}); {_INSTALL_HINT}") from exc
    return Picamera2


def is_picamera_available() -> bool:
    """True when picamera2 imports and libcamera reports at least one CSI camera."""
    try:
        picamera2 = _import_picamera2()
        return bool(picamera2.global_camera_info())
    except Exception as exc:  # probing must never crash "auto"
        logger.debug("no CSI camera: %s", exc)
        return False


class PiCamera:
    """A Raspberry Pi CSI camera module (libcamera via Picamera2).

    ``cv2.VideoCapture`` cannot read these on the libcamera stack (opencv #22820), hence
    Picamera2. Frames are asked for as ``BGR888``, which in Picamera2's naming is RGB byte
    order, exactly what MediaPipe wants, so no colour conversion is needed.
    """

    is_live = True

    def __init__(
        self,
        camera_num: int = 0,
        *,
        width: int = 640,
        height: int = 480,
        fps: int = 30,
        rotation: int = 0,
    ) -> None:
        self.camera_num = camera_num
        self.width = width
        self.height = height
        self.fps = fps
        self.rotation = rotation
        self.name = f"picamera:{camera_num}"
        self._cam: Any = None
        self._count = 0

    @classmethod
    def from_config(cls, cfg: CameraConfig) -> PiCamera:
        """A camera with the size, rate and rotation of the camera config (camera 0)."""
        return cls(0, width=cfg.width, height=cfg.height, fps=cfg.fps, rotation=cfg.rotation)

    @property
    def is_open(self) -> bool:
        """True between a successful `open` and `close`."""
        return self._cam is not None

    def open(self) -> None:
        """Start the camera; raise `SourceError` if picamera2 or the camera is missing."""
        if self._cam is not None:
            return
        picamera2 = _import_picamera2()
        if not picamera2.global_camera_info():
            raise SourceError("no CSI camera detected (check the ribbon cable; `rpicam-hello`)")
        cam = None
        try:
            cam = picamera2(self.camera_num)
            config = cam.create_video_configuration(
                main={"size": (self.width, self.height), "format": "BGR888"},
                # Few buffers: every queued buffer is a frame of latency.
                buffer_count=2,
                controls={"FrameRate": float(self.fps)},
            )
            cam.configure(config)
            cam.start()
        except Exception as exc:  # libcamera reports busy/absent cameras as RuntimeError etc.
            if cam is not None:
                _quietly_close(cam)
            raise SourceError(f"CSI camera {self.camera_num} could not start: {exc}") from exc
        logger.info(
            "CSI camera %d: %dx%d @ %d fps", self.camera_num, self.width, self.height, self.fps
        )
        self._cam = cam
        self._count = 0

    def read(self) -> Frame:
        """The next frame (RGB, rotated); raises `SourceError` when the camera fails."""
        if self._cam is None:
            raise SourceError(f"CSI camera {self.camera_num} is not open")
        try:
            rgb = self._cam.capture_array("main")
        except Exception as exc:
            raise SourceError(f"CSI camera {self.camera_num} failed: {exc}") from exc
        t = time.monotonic()
        frame = Frame(image=rotate_image(rgb, self.rotation), t=t, index=self._count)
        self._count += 1
        return frame

    def close(self) -> None:
        """Stop and release the camera; safe to call twice."""
        cam, self._cam = self._cam, None
        if cam is not None:
            _quietly_close(cam)

    def __enter__(self) -> PiCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quietly_close(cam: Any) -> None:
    try:
        cam.stop()
    except Exception as exc:
        logger.debug("picamera2 stop failed: %s", exc)
    try:
        cam.close()
    except Exception as exc:
        logger.debug("picamera2 close failed: %s", exc)
