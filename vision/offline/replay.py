"""Pre-decoded clips replayed like a live camera: the bench's and the soak's frames."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision.types import Frame

#: The camera size the bench's targets assume.
BENCH_SIZE = (640, 480)


def letterbox(rgb: np.ndarray, size: tuple[int, int] = BENCH_SIZE) -> np.ndarray:
    """``rgb`` scaled to fit ``size`` (w, h), centred on black: no distortion, no crop."""
    import cv2

    w, h = size
    ih, iw = rgb.shape[:2]
    scale = min(w / iw, h / ih)
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), dtype=np.uint8)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = resized
    return out


def bounce(i: int, n: int) -> int:
    """The ``i``-th index of 0, 1, ..., n-1, n-2, ..., 1, 0, 1, ... (a clip played back and forth).

    Played back and forth, a short clip never jumps from its last frame to its first: the
    member selector and the smoother would see a person teleport at every wrap (its identity
    check rejected up to 80 % of a 20-frame bench run as "not the member").
    """
    if n <= 1:
        return 0
    period = 2 * (n - 1)
    k = i % period
    return k if k < n else period - k


@dataclass
class BenchFrames:
    """Pre-decoded, letterboxed frames of a clip, as the bench and the soak replay them."""

    images: list[np.ndarray]  # ``count`` frames, played back and forth; repeats share memory
    decode_s: list[float]  # seconds each distinct frame took to decode and letterbox
    fps: float  # the clip's own frame rate: the pace of the motion in it


def load_frames(video: Path, count: int) -> BenchFrames:
    """``count`` letterboxed frames of ``video`` (played back and forth, see `bounce`)."""
    from vision.sources.video import VideoFileSource

    distinct: list[np.ndarray] = []
    decode: list[float] = []
    with VideoFileSource(video, realtime=False) as source:
        while len(distinct) < count:
            t0 = time.perf_counter()
            frame = source.read()
            if frame is None:
                break
            distinct.append(letterbox(frame.image))
            decode.append(time.perf_counter() - t0)
        fps = source.fps
    if not distinct:
        raise ValueError(f"{video} has no frames")
    images = [distinct[bounce(i, len(distinct))] for i in range(count)]
    return BenchFrames(images, decode, fps)


class ReplaySource:
    """A `FrameSource` replaying pre-decoded frames at ``fps``, like a live camera.

    ``t`` is the monotonic time the frame is handed over (its "capture"), so latency
    measured from it covers everything after the sensor. The frames play back and forth
    (`bounce`). With ``clip_fps`` the picture follows the clock at the pace it was filmed,
    however fast frames are handed out (a frame is repeated until the next is due): the bench
    feeds several times faster than the clip's rate to keep the pipeline busy, and fed frame by
    frame the person would move several times faster than a person can, so each worker's
    tracker lost them and re-ran the detector far more often than behind a live camera.
    """

    is_live = True

    def __init__(
        self,
        images: list[np.ndarray],
        fps: float,
        name: str = "replay",
        clip_fps: float | None = None,
    ) -> None:
        self.images = images
        self.period = 1.0 / fps
        self.name = name
        self.clip_fps = clip_fps
        self._count = 0
        self._next = 0.0
        self._start = 0.0

    def open(self) -> None:
        """Start the clock."""
        self._start = self._next = time.monotonic()

    def read(self) -> Frame | None:
        """The next frame, when it is due."""
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + self.period, time.monotonic() - self.period)
        now = time.monotonic()
        shown = self._count
        if self.clip_fps is not None:
            # The nudge: a picture due at this very instant is shown (not lost to rounding).
            shown = int((now - self._start) * self.clip_fps + 1e-6)
        image = self.images[bounce(shown, len(self.images))]
        frame = Frame(image=image, t=now, index=self._count)
        self._count += 1
        return frame

    def close(self) -> None:
        """Nothing to release."""
