"""Faults injected into the real kiosk process (`backstep run --headless` on a fixture clip).

Each test starts a guest session, breaks something for real (the camera file vanishes, the
camera stream stalls, the process is killed; the database's faults are in
`test_storage_faults.py`) and checks what a gym would see: no crash, the message, and how many
seconds of the member's samples were lost. The figures are printed (``pytest -s``) and
quoted in docs/reliability.md.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fault_runs import MAX_LOST_S, sample_times, sessions, start_session, stop
from support.kiosk_process import CLIP, KioskProcess, write_config

pytestmark = pytest.mark.slow  # each test runs the kiosk process

# ---------------------------------------------------------------------------- the process


def test_sigkill_mid_session_loses_at_most_three_seconds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kiosk, _ = start_session(tmp_path, data)
    try:
        time.sleep(8.0)
        kill_wall = time.time()
        kiosk.signal(signal.SIGKILL)
        assert kiosk.finish(timeout=30) == -signal.SIGKILL
    finally:
        kiosk.kill()
    (sid, status, started, _ended), *_ = sessions(data)
    assert status == "active"  # nobody closed it: the next start does
    times = sample_times(data, sid)
    lost = (kill_wall - started) - (times[-1] + 1.0)
    print(f"\nFIGURE sigkill: {len(times)} samples kept, {lost:.1f} s lost")
    assert lost <= MAX_LOST_S
    again = KioskProcess(write_config(tmp_path), data, "--seconds", "3", source="demo")
    try:
        assert again.finish(timeout=90) == 0
    finally:
        again.kill()
    assert sessions(data)[0][1] == "interrupted"


def test_sigterm_mid_session_is_interrupted_and_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kiosk, _ = start_session(tmp_path, data)
    time.sleep(6.0)
    term_wall = time.time()
    assert stop(kiosk) == 0
    (sid, status, started, ended), *_ = sessions(data)
    assert status == "interrupted"
    assert ended is not None
    times = sample_times(data, sid)
    lost = (term_wall - started) - (times[-1] + 1.0)
    print(f"\nFIGURE sigterm: {len(times)} samples kept, {max(lost, 0.0):.1f} s lost")
    assert lost <= 1.5  # the last, partial second at most
    assert kiosk.summary()["exit"] == "signal"


# ----------------------------------------------------------------------------- the camera


def test_a_lost_and_returning_camera_pauses_and_resumes_the_session(tmp_path: Path) -> None:
    data = tmp_path / "data"
    clip = tmp_path / "camera.mp4"
    shutil.copy(CLIP, clip)
    kiosk, _ = start_session(tmp_path, data, clip)
    try:
        clip.rename(tmp_path / "unplugged.mp4")  # the next reopen (end of the clip) fails
        kiosk.wait_for("-> camera_lost", timeout=30)
        time.sleep(3.0)
        assert kiosk.proc.poll() is None
        (tmp_path / "unplugged.mp4").rename(clip)
        kiosk.wait_for("recovered", timeout=30)
        kiosk.wait_for("camera_lost -> session", timeout=30)
        time.sleep(3.0)
    finally:
        status = stop(kiosk)
    assert status == 0
    assert "camera_lost" in kiosk.summary()["states_seen"]
    (sid, state, _s, _e), *_ = sessions(data)
    assert state == "interrupted"
    assert sample_times(data, sid)  # recorded before and after the loss


def test_a_camera_lost_for_too_long_ends_the_session_as_interrupted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    clip = tmp_path / "camera.mp4"
    shutil.copy(CLIP, clip)
    kiosk = KioskProcess(
        write_config(tmp_path, "\n[camera]\nlost_end_session_s = 10\n"),
        data,
        "--seconds",
        "400",
        "--press",
        "1:start",
        source=str(clip),
    )
    try:
        kiosk.wait_for("-> session", timeout=180)
        time.sleep(2.0)
        clip.rename(tmp_path / "gone.mp4")
        kiosk.wait_for("-> camera_lost", timeout=30)
        lost_at = time.monotonic()
        kiosk.wait_for("ending the session", timeout=40)
        ended_after = time.monotonic() - lost_at
        time.sleep(2.0)
        assert kiosk.proc.poll() is None  # the kiosk stays up, waiting for its camera
        (sid, state, _s, ended), *_ = sessions(data)
        assert state == "interrupted" and ended is not None
    finally:
        status = stop(kiosk)
    assert status == 0
    assert 9.0 <= ended_after <= 20.0
    assert sample_times(data, sid)  # what was recorded is kept


def write_long_avi(path: Path, loops: int) -> None:
    """The fixture clip ``loops`` times over as one MJPEG AVI (a stream OpenCV can read)."""
    import cv2

    src = cv2.VideoCapture(str(CLIP))
    frames = []
    while True:
        ok, frame = src.read()
        if not ok:
            break
        frames.append(frame)
    src.release()
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (w, h))
    for _ in range(loops):
        for frame in frames:
            out.write(frame)
    out.release()


@pytest.fixture
def stalling_stream(tmp_path: Path) -> Iterator[tuple[Path, threading.Event]]:
    """A named pipe fed with a long clip until ``stall`` is set; then it stays open, silent.

    That is a camera that stops delivering without an error: reads block, nothing raises.
    """
    avi = tmp_path / "long.avi"
    write_long_avi(avi, loops=40)
    fifo = tmp_path / "camera.fifo"
    os.mkfifo(fifo)
    stall, done = threading.Event(), threading.Event()

    def feed() -> None:
        try:
            with open(fifo, "wb") as pipe, open(avi, "rb") as fh:
                while not stall.is_set() and (chunk := fh.read(16384)):
                    pipe.write(chunk)
                done.wait(120)  # hold the pipe open, write nothing: the stall
        except (BrokenPipeError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    yield fifo, stall
    stall.set()
    done.set()
    # unblock a reader still waiting to open the pipe, then let the feeder go
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass
    feeder.join(5)


def test_a_stalled_camera_is_a_lost_camera_and_the_kiosk_still_stops(
    tmp_path: Path, stalling_stream: tuple[Path, threading.Event]
) -> None:
    fifo, stall = stalling_stream
    data = tmp_path / "data"
    kiosk, _ = start_session(tmp_path, data, fifo)
    try:
        time.sleep(2.0)
        stall_at = time.monotonic()
        stall.set()
        kiosk.wait_for("stalled", timeout=60)
        kiosk.wait_for("-> camera_lost", timeout=30)
        noticed = time.monotonic() - stall_at
        print(f"\nFIGURE stall: camera-lost screen {noticed:.1f} s after the stream stalled")
        time.sleep(2.0)
        assert kiosk.proc.poll() is None
        t0 = time.monotonic()
    finally:
        status = stop(kiosk)
    assert status == 0
    assert time.monotonic() - t0 < 20  # no capture call held the shutdown
    assert sessions(data)[0][1] == "interrupted"
