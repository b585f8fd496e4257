"""The capture thread: newest frame only, counted drops, reconnects, a clean stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest
from support.doubles import FlakyCamera
from support.paths import FIXTURES

from vision.errors import SourceError
from vision.loop.capture import CaptureThread
from vision.settings import CameraConfig
from vision.sources.video import VideoFileSource
from vision.types import Frame

FIXTURE = FIXTURES / "single_person_front.mp4"


def wait_until(predicate: Callable[[], bool], limit_s: float = 20.0) -> None:
    """Poll until ``predicate`` holds; fail (not hang) if it never does."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached")
        time.sleep(0.005)


def test_a_slow_consumer_gets_the_newest_frame_and_the_skipped_ones_count_as_dropped() -> None:
    capture = CaptureThread(
        lambda: VideoFileSource(FIXTURE, realtime=False, loop=False), stop_at_end=True
    )
    with capture:
        first = capture.wait_newer(None, timeout=10)
        assert first is not None
        # The consumer is busy until the whole clip has been captured.
        wait_until(lambda: capture.status.state == "ended")
        last = capture.wait_newer(first.index, timeout=10)
        assert last is not None
        assert capture.wait_newer(last.index, timeout=0.5) is None  # nothing more will come
    status = capture.status
    assert status.frames == 50
    assert last.index == 49 and last.media_t == pytest.approx(49 / 30)  # the newest frame
    assert status.dropped == 48  # every frame but the two taken was overwritten unseen


def test_a_loop_seam_on_a_dropped_frame_is_handed_on_with_the_next_frame() -> None:
    capture = CaptureThread(
        lambda: VideoFileSource(FIXTURE, realtime=False, loop=True), stop_at_end=True
    )
    with capture:
        first = capture.wait_newer(None, timeout=10)
        assert first is not None
        # Busy while the file wraps (frame 50 is the seam) and goes on past it.
        wait_until(lambda: capture.status.frames > 60)
        later = capture.wait_newer(first.index, timeout=10)
    assert later is not None and later.index > 50
    assert later.discontinuity  # the seam frame itself was overwritten unseen


def test_every_frame_is_either_taken_or_counted_as_dropped() -> None:
    capture = CaptureThread(
        lambda: VideoFileSource(FIXTURE, realtime=False, loop=False), stop_at_end=True
    )
    taken: list[int] = []
    with capture:
        index = None
        while (frame := capture.wait_newer(index, timeout=10)) is not None:
            taken.append(frame.index)
            index = frame.index
            time.sleep(0.003)  # a consumer slower than decoding
    assert taken == sorted(set(taken))  # strictly increasing, never an old frame again
    assert taken[-1] == 49
    assert len(taken) + capture.status.dropped == capture.status.frames == 50


@pytest.mark.parametrize(
    "error", [SourceError("flaky: unplugged"), RuntimeError("flaky: driver bug")]
)
def test_a_lost_camera_is_reopened_with_backoff_and_frame_indices_keep_increasing(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    camera = FlakyCamera(die_after=5, failed_opens=3, error=error)
    capture = CaptureThread(lambda: camera, reconnect_min_s=0.01, reconnect_max_s=0.03)
    camera.capture = capture
    indices: list[int] = []
    with caplog.at_level(logging.INFO, logger="vision.loop.capture"), capture:
        index = None
        while len(indices) < 30:
            frame = capture.wait_newer(index, timeout=10)
            assert frame is not None
            indices.append(frame.index)
            index = frame.index
        status = capture.status
        assert capture.is_running  # the thread survived the loss
    assert status.state == "ok"
    assert status.reconnects == 1
    assert status.last_error == "flaky: no such device"  # the most recent failure
    assert f"flaky lost: {error}" in caplog.text  # the loss itself was logged
    assert camera.open_attempts == 1 + 3 + 1
    # ok -> lost (every failed reopen happens while lost) -> ok
    assert camera.states_at_open == ["starting", "lost", "lost", "lost", "lost"]
    # The reopened source counted from 0 again; the capture thread's numbering did not.
    assert camera.source_indices[:6] == [0, 1, 2, 3, 4, 0]
    assert indices == sorted(set(indices))
    assert status.frames > indices[-1] >= 29
    final = capture.latest()  # stopped now: nothing is published any more
    assert final is not None and final.index == capture.status.frames - 1
    # Exponential backoff from min to max: 0.01, 0.02, 0.03 (capped), 0.03.
    delays = [
        r.args[-1]
        for r in caplog.records
        if "retrying" in r.getMessage() and isinstance(r.args, tuple)
    ]
    assert delays == pytest.approx([0.01, 0.02, 0.03, 0.03])


def test_an_absent_camera_keeps_the_thread_alive_in_the_lost_state() -> None:
    attempts = threading.Semaphore(0)

    def no_camera() -> VideoFileSource:
        attempts.release()
        raise SourceError("USB camera 0 could not be opened")

    capture = CaptureThread(no_camera, reconnect_min_s=0.01, reconnect_max_s=0.02)
    capture.start()
    for _ in range(4):
        assert attempts.acquire(timeout=10)
    status = capture.status
    assert capture.is_running
    assert status.state == "lost" and status.frames == 0
    assert status.last_error == "USB camera 0 could not be opened"
    assert capture.latest() is None
    assert capture.wait_newer(None, timeout=0.05) is None
    capture.stop()
    assert not capture.is_running


def test_a_file_that_ends_without_stop_at_end_is_reopened_and_numbering_continues() -> None:
    capture = CaptureThread(
        lambda: VideoFileSource(FIXTURE, realtime=False, loop=False),
        reconnect_min_s=0.01,
        reconnect_max_s=0.02,
    )
    with capture:
        wait_until(lambda: capture.status.frames > 60)
        frame = capture.latest()
    status = capture.status
    assert frame is not None and frame.index >= 60
    assert status.reconnects >= 1


def test_status_reports_the_source_and_a_measured_rate_while_frames_flow() -> None:
    capture = CaptureThread.from_config(CameraConfig(), "demo")
    assert capture.status.state == "starting"
    with capture:
        wait_until(lambda: capture.status.frames >= 5)
        status = capture.status
    assert status.state == "ok"
    assert status.source_name == "demo"
    assert status.fps > 0
    assert status.last_error is None


def test_stop_is_idempotent_joins_the_thread_and_wakes_waiters() -> None:
    capture = CaptureThread(lambda: VideoFileSource(FIXTURE, realtime=True, loop=True))
    capture.start()
    capture.start()  # a second start does nothing
    first = capture.wait_newer(None, timeout=10)
    assert first is not None
    woken: list[Frame | None] = []
    waiter = threading.Thread(target=lambda: woken.append(capture.wait_newer(10**9, 30)))
    waiter.start()
    capture.stop()
    capture.stop()
    capture.close()
    waiter.join(10)
    assert not waiter.is_alive() and woken == [None]  # stop released the blocked consumer
    assert not capture.is_running
    assert capture.status.state == "ended"
    assert capture.latest() is not None  # the last frame stays readable
    with pytest.raises(RuntimeError, match="restart"):
        capture.start()


def test_stop_before_start_is_harmless() -> None:
    capture = CaptureThread(lambda: VideoFileSource(FIXTURE))
    capture.stop()
    assert not capture.is_running


def test_backoff_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="reconnect"):
        CaptureThread(lambda: VideoFileSource(FIXTURE), reconnect_min_s=2, reconnect_max_s=1)
