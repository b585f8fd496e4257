"""A camera that stalls for a long time costs one abandoned reader, not one every ``stall_s``."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from vision.loop.capture import CaptureThread
from vision.types import Frame

pytestmark = pytest.mark.slow  # a 10 s stall


class StallingCamera:
    """Frames while ``flowing`` is set; else every ``read`` (of every reader) blocks until it is.

    The shape of a USB camera whose driver stops answering: every new open reaches the same
    stuck device, so reconnecting does not help until the device comes back.
    """

    is_live = True
    name = "stalling"

    def __init__(self, flowing: threading.Event) -> None:
        self._flowing = flowing
        self._n = 0

    def open(self) -> None:
        pass

    def read(self) -> Frame | None:
        self._flowing.wait()
        time.sleep(0.02)
        self._n += 1
        return Frame(np.zeros((4, 4, 3), np.uint8), t=time.monotonic(), index=self._n)

    def close(self) -> None:
        pass


def capture_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "backstep-capture")


def test_a_long_stall_keeps_at_most_one_abandoned_reader_and_frames_resume() -> None:
    flowing = threading.Event()
    flowing.set()
    cap = CaptureThread(lambda: StallingCamera(flowing), reconnect_max_s=2.0, stall_s=0.5)
    cap.start()
    try:
        deadline = time.monotonic() + 10
        while cap.status.frames < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        flowing.clear()  # the camera stalls for 10 s: 20 stall periods
        most = 0
        stall_until = time.monotonic() + 10.0
        while time.monotonic() < stall_until:
            most = max(most, capture_threads())
            time.sleep(0.1)
        assert cap.status.state == "lost"
        frames = cap.status.frames
        flowing.set()  # the device answers again
        deadline = time.monotonic() + 10
        while cap.status.frames <= frames + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        print(
            f"\nFIGURE stalled camera: at most {most} reader threads over 10 s, {cap.stalls} stalls"
        )
        assert cap.status.frames > frames + 5 and cap.status.state == "ok"
        assert most <= 2  # the live reader and one abandoned one
    finally:
        cap.stop()
