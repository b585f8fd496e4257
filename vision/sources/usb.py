"""USB webcams through OpenCV (V4L2 on Linux): MJPG, one-frame buffer, RGB out."""

from __future__ import annotations

import logging
import sys
import time

import cv2

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.sources.base import rotate_image
from vision.types import Frame

logger = logging.getLogger(__name__)

# V4L2 blocks a read up to 10 s by default when a camera stops streaming; a shorter limit
# lets the capture thread notice a lost camera and start reconnecting sooner.
_READ_TIMEOUT_MS = 3000


def _device_arg(device: int | str) -> int | str:
    """An int index for "0".."9" strings (OpenCV treats a str as a path or URL)."""
    if isinstance(device, str) and device.strip().isdigit():
        return int(device.strip())
    return device


class UsbCamera:
    """A USB (UVC) camera read with ``cv2.VideoCapture``.

    Asks for MJPG, because YUYV at 640x480@30 can fall to 10 fps on USB bandwidth, and a
    one-frame driver buffer, because V4L2 queues four by default and every queued frame is
    latency. Width, height and fps are requests: the camera may pick the nearest mode (the
    granted mode is logged).
    """

    is_live = True

    def __init__(
        self,
        device: int | str = 0,
        *,
        width: int = 640,
        height: int = 480,
        fps: int = 30,
        rotation: int = 0,
    ) -> None:
        self.device = _device_arg(device)
        self.width = width
        self.height = height
        self.fps = fps
        self.rotation = rotation
        self.name = f"usb:{self.device}"
        self._cap: cv2.VideoCapture | None = None
        self._count = 0

    @classmethod
    def from_config(cls, cfg: CameraConfig) -> UsbCamera:
        """A camera with the device, size, rate and rotation of the camera config."""
        return cls(
            cfg.device, width=cfg.width, height=cfg.height, fps=cfg.fps, rotation=cfg.rotation
        )

    @property
    def is_open(self) -> bool:
        """True between a successful `open` and `close`."""
        return self._cap is not None

    def open(self) -> None:
        """Open the device and check that it delivers a frame; raise `SourceError` if not."""
        if self._cap is not None:
            return
        api = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        cap = cv2.VideoCapture(self.device, api)
        if not cap.isOpened():
            cap.release()
            raise SourceError(
                f"USB camera {self.device!r} could not be opened: no such device, or it is "
                "busy or not permitted (is it plugged in? is the user in the 'video' group? "
                "try `v4l2-ctl --list-devices`)"
            )
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, _READ_TIMEOUT_MS)
        # Some /dev/video* nodes open but never stream (a Pi's ISP and codec nodes): a first
        # grab tells a real camera from those.
        if not cap.grab():
            cap.release()
            raise SourceError(
                f"USB camera {self.device!r} opened but delivers no frames (not a capture "
                "device, or in use by another program)"
            )
        fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode(errors="replace")
        logger.info(
            "USB camera %r: %dx%d @ %.0f fps, %s",
            self.device,
            int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            cap.get(cv2.CAP_PROP_FPS),
            fourcc,
        )
        self._cap = cap
        self._count = 0

    def read(self) -> Frame:
        """The next frame (RGB, rotated); raises `SourceError` when the camera is lost."""
        if self._cap is None:
            raise SourceError(f"USB camera {self.device!r} is not open")
        ok, bgr = self._cap.read()
        t = time.monotonic()
        if not ok or bgr is None:
            raise SourceError(f"USB camera {self.device!r} delivered no frame (unplugged?)")
        rgb = rotate_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self.rotation)
        frame = Frame(image=rgb, t=t, index=self._count)
        self._count += 1
        return frame

    def close(self) -> None:
        """Release the device; safe to call twice."""
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def __enter__(self) -> UsbCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
