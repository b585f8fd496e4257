"""Video files as frame sources: real-time paced for demos, as fast as possible for analysis."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import cv2

from vision.errors import SourceError
from vision.sources.base import rotate_image
from vision.types import Frame

logger = logging.getLogger(__name__)

#: Assumed when a file does not say its frame rate.
DEFAULT_FPS = 30.0
# A real-time player more than this far behind its schedule (a stalled consumer, a slow
# disk) restarts its clock instead of racing through frames to catch up.
_MAX_LAG_S = 0.5


def demo_path() -> Path:
    """The built-in demo clip, found next to the package (works from a wheel too)."""
    return Path(__file__).resolve().parents[1] / "data" / "demo.mp4"


def demo_source() -> VideoFileSource:
    """The built-in demo clip, looped in real time, not rotated (it is recorded upright)."""
    return VideoFileSource(demo_path(), realtime=True, loop=True, name="demo")


class VideoFileSource:
    """Frames from a video file, decoded with OpenCV, RGB out.

    ``realtime`` paces frames to the file's fps (a demo looks like a camera); otherwise they
    come as fast as they decode (``analyze``). ``loop`` starts over at the end instead of
    returning None. ``media_t`` is the position in the file, frame number / fps, so it
    restarts at 0 on each loop while ``index`` keeps counting; the first frame of each new
    pass is marked ``discontinuity``.
    """

    is_live = False

    def __init__(
        self,
        path: str | Path,
        *,
        realtime: bool = True,
        loop: bool = False,
        rotation: int = 0,
        name: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.loop = loop
        self.rotation = rotation
        self.name = name if name is not None else f"file:{self.path.name}"
        self.fps = DEFAULT_FPS
        self._cap: cv2.VideoCapture | None = None
        self._count = 0  # frames delivered since open (Frame.index)
        self._pos = 0  # frame number within the current pass (media_t)
        self._clock_start = 0.0  # monotonic time at which frame `_paced` is due
        self._paced = 0

    @property
    def is_open(self) -> bool:
        """True between a successful `open` and `close`."""
        return self._cap is not None

    def _capture(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot decode video file {self.path} (not a video, or damaged)")
        return cap

    def open(self) -> None:
        """Open the file; raise `SourceError` if it is missing or cannot be decoded."""
        if self._cap is not None:
            return
        if not self.path.exists() or self.path.is_dir():  # a FIFO is a stream too
            raise SourceError(f"video file not found: {self.path}")
        cap = self._capture()
        fps = cap.get(cv2.CAP_PROP_FPS)
        if not math.isfinite(fps) or fps <= 0:
            logger.warning(
                "%s does not state its frame rate; assuming %g fps", self.path, DEFAULT_FPS
            )
            fps = DEFAULT_FPS
        self.fps = float(fps)
        self._cap = cap
        self._count = self._pos = self._paced = 0

    def read(self) -> Frame | None:
        """The next frame, or None at the end of the file (never, when looping)."""
        if self._cap is None:
            raise SourceError(f"video file {self.path} is not open")
        ok, bgr = self._cap.read()
        restarted = False
        if not ok and self.loop and self._pos > 0:
            # Reopening is more reliable than seeking to 0 across codecs and containers.
            self._cap.release()
            self._cap = self._capture()
            self._pos = 0
            ok, bgr = self._cap.read()
            # The walker jumps from the last frame's pose to the first's: a step measured
            # across the seam would be a false one (a 112.5 steps/min walker read 116-128).
            restarted = True
        if not ok or bgr is None:
            return None
        if self.realtime:
            self._wait_for_schedule()
        frame = Frame(
            image=rotate_image(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self.rotation),
            t=time.monotonic(),
            index=self._count,
            media_t=self._pos / self.fps,
            discontinuity=restarted,
        )
        self._count += 1
        self._pos += 1
        return frame

    def _wait_for_schedule(self) -> None:
        """Sleep until this frame is due at the file's frame rate."""
        now = time.monotonic()
        if self._paced == 0:
            self._clock_start = now
        due = self._clock_start + self._paced / self.fps
        if now - due > _MAX_LAG_S:
            self._clock_start, self._paced, due = now, 0, now
        elif due > now:
            time.sleep(due - now)
        self._paced += 1

    def close(self) -> None:
        """Release the file; safe to call twice."""
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def __enter__(self) -> VideoFileSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
