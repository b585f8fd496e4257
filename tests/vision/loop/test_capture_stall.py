"""The capture watchdog: a source call that never returns is a lost camera, not a frozen one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from support.paths import FIXTURES

from vision.loop.capture import CaptureThread
from vision.sources.base import FrameSource
from vision.sources.video import VideoFileSource
from vision.types import Frame

CLIP = FIXTURES / "single_person_front.mp4"


def wait_until(predicate: Callable[[], bool], limit_s: float = 20.0) -> float:
    """Poll until ``predicate`` holds; returns the seconds it took (fails, never hangs)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > limit_s:
            pytest.fail("condition not reached")
        time.sleep(0.01)
    return time.monotonic() - start


class HangingCamera:
    """Real frames from the fixture clip, then a ``read()`` (or ``open()``) that blocks.

    The hang is a wait on ``release``: the shape of a stalled USB read or a hung CSI
    capture, which return nothing and raise nothing. ``closed`` is set once the abandoned
    reader gets its call back and closes the source.
    """

    is_live = True

    def __init__(self, release: threading.Event, frames: int, hang_in: str = "read") -> None:
        self.name = f"hanging-{hang_in}"
        self._video = VideoFileSource(CLIP, realtime=True, loop=True)
        self._left = frames
        self._release = release
        self._hang_in = hang_in
        self.closed = threading.Event()

    def open(self) -> None:
        if self._hang_in == "open":
            self._release.wait()
        self._video.open()

    def read(self) -> Frame | None:
        if self._left == 0:
            self._release.wait()
        self._left -= 1
        return self._video.read()

    def close(self) -> None:
        self._video.close()
        self.closed.set()


def factory_of(sources: list[FrameSource]) -> Callable[[], FrameSource]:
    """Hands out ``sources`` in turn; the last one is reused for further reconnects."""
    queue = list(sources)

    def make() -> FrameSource:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return make


def test_a_read_that_never_returns_is_a_lost_camera_and_a_new_reader_reconnects() -> None:
    release = threading.Event()
    stuck = HangingCamera(release, frames=10)
    healthy = VideoFileSource(CLIP, realtime=True, loop=True)
    cap = CaptureThread(factory_of([stuck, healthy]), reconnect_min_s=0.1, stall_s=1.0)
    try:
        cap.start()
        wait_until(lambda: cap.status.frames >= 10)
        frames_at_stall = cap.status.frames
        lost_after = wait_until(lambda: cap.status.state == "lost" or cap.stalls > 0)
        assert lost_after < 1.0 + 1.0  # stall_s plus the watchdog's tick and some slack
        assert cap.stalls == 1
        assert "stalled" in (cap.status.last_error or "")
        wait_until(lambda: cap.status.state == "ok" and cap.status.frames > frames_at_stall + 5)
        assert cap.status.reconnects >= 1
        latest = cap.latest()
        assert latest is not None and latest.index >= frames_at_stall  # numbering continues
    finally:
        release.set()
        cap.stop()
    assert stuck.closed.wait(5)  # the abandoned reader closed its source when let go


def test_an_open_that_never_returns_is_abandoned_too() -> None:
    release = threading.Event()
    stuck = HangingCamera(release, frames=0, hang_in="open")
    healthy = VideoFileSource(CLIP, realtime=True, loop=True)
    cap = CaptureThread(factory_of([stuck, healthy]), reconnect_min_s=0.1, stall_s=0.8)
    try:
        cap.start()
        wait_until(lambda: cap.status.state == "ok", limit_s=10)
        assert cap.stalls == 1
    finally:
        release.set()
        cap.stop()


def test_stop_returns_while_a_reader_is_stuck() -> None:
    release = threading.Event()
    cap = CaptureThread(
        factory_of([HangingCamera(release, frames=3)]),
        reconnect_min_s=0.1,
        stall_s=30.0,
        join_timeout_s=0.5,
    )
    cap.start()
    wait_until(lambda: cap.status.frames >= 3)
    time.sleep(0.3)
    start = time.monotonic()
    cap.stop()
    assert time.monotonic() - start < 2.0
    assert cap.status.state == "ended"
    assert cap.wait_newer(10**9, timeout=5.0) is None  # waiters are not left hanging
    release.set()


def test_stall_s_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CaptureThread(factory_of([VideoFileSource(CLIP)]), stall_s=0)
