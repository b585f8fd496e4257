"""Faults injected into the real kiosk process (`backstep run --headless` on a fixture clip).

Each test starts a guest session, breaks something for real (the camera file vanishes, the
camera stream stalls, the database is locked, corrupt, read-only or its disk full, the
process is killed) and checks what a gym would see: no crash, the message, and how many
seconds of the member's samples were lost. The figures are printed (``pytest -s``) and
quoted in the README's "Reliability" section.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.kiosk_process import CLIP, KioskProcess, write_config

#: The issue's bound on samples lost to a fault.
MAX_LOST_S = 3.0


def start_session(
    tmp_path: Path, data: Path, source: Path | str = CLIP
) -> tuple[KioskProcess, float]:
    """A kiosk with a guest session running; returns it and the wall time the session began."""
    kiosk = KioskProcess(
        write_config(tmp_path), data, "--seconds", "400", "--press", "1:start", source=str(source)
    )
    try:
        kiosk.wait_for("-> session", timeout=180)
    except BaseException:
        kiosk.kill()
        raise
    return kiosk, time.time()


def sessions(data: Path) -> list[tuple[int, str, float, float | None]]:
    conn = sqlite3.connect(data / "backstep.sqlite3")
    try:
        return list(conn.execute("SELECT id, status, started, ended FROM sessions ORDER BY id"))
    finally:
        conn.close()


def sample_times(data: Path, session_id: int) -> list[float]:
    conn = sqlite3.connect(data / "backstep.sqlite3")
    try:
        rows = conn.execute("SELECT t FROM samples WHERE session_id = ? ORDER BY t", (session_id,))
        return [float(r[0]) for r in rows]
    finally:
        conn.close()


def largest_gap(times: list[float]) -> float:
    """The longest run of seconds with no sample (samples are one per second)."""
    return max((b - a - 1.0 for a, b in itertools.pairwise(times)), default=0.0)


def stop(kiosk: KioskProcess) -> int:
    kiosk.signal(signal.SIGTERM)
    try:
        return kiosk.finish(timeout=60)
    finally:
        kiosk.kill()


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


# --------------------------------------------------------------------------- the database


def test_a_locked_database_at_start_is_retried_and_sessions_are_saved(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "backstep.sqlite3"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    kiosk = KioskProcess(
        write_config(tmp_path), data, "--seconds", "400", "--press", "1:start", source=str(CLIP)
    )
    try:
        line = kiosk.wait_for("storage unavailable", timeout=120)
        assert "locked" in line
        time.sleep(3.0)
        holder.execute("ROLLBACK")
        holder.close()
        kiosk.wait_for("saved again", timeout=60)
        kiosk.wait_for("-> session", timeout=180)
        time.sleep(5.0)
    finally:
        status = stop(kiosk)
    assert status == 0
    (sid, state, _s, _e), *_ = sessions(data)
    assert state == "interrupted"
    assert len(sample_times(data, sid)) >= 3


def test_a_database_locked_mid_session_loses_no_samples(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kiosk, _ = start_session(tmp_path, data)
    try:
        time.sleep(3.0)
        holder = sqlite3.connect(data / "backstep.sqlite3", isolation_level=None, timeout=10)
        holder.execute("BEGIN EXCLUSIVE")  # a backup tool or a stray sqlite3 shell
        kiosk.wait_for("not saving", timeout=60)
        time.sleep(4.0)
        holder.execute("ROLLBACK")
        holder.close()
        time.sleep(6.0)
    finally:
        status = stop(kiosk)
    assert status == 0
    summary = kiosk.summary()
    assert summary["storage_failures"] >= 1
    (sid, state, _s, _e), *_ = sessions(data)
    assert state == "interrupted"
    gap = largest_gap(sample_times(data, sid))
    print(f"\nFIGURE locked: {summary['storage_failures']} failures, largest gap {gap:.0f} s")
    assert gap <= MAX_LOST_S


def test_a_corrupt_database_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "backstep.sqlite3"
    # a real database whose pages were overwritten (a bad SD card sector)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
    conn.commit()
    conn.close()
    raw = bytearray(db.read_bytes())
    raw[4096 : 4096 * 3] = b"\xa5" * (4096 * 2)
    db.write_bytes(bytes(raw))
    kiosk = KioskProcess(write_config(tmp_path), data, "--seconds", "6", source="demo")
    try:
        assert kiosk.finish(timeout=120) == 0
    finally:
        kiosk.kill()
    log = "\n".join(kiosk.log)
    assert "failed its integrity check" in log and "moved to backstep.sqlite3.damaged-" in log
    moved = list(data.glob("backstep.sqlite3.damaged-*"))
    assert len(moved) == 1
    fresh = sqlite3.connect(db)
    try:
        assert fresh.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        fresh.close()
    assert kiosk.summary()["saving"] is True


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB tmpfs (root only): a disk that can be filled or made read-only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def remount(mount: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)


def test_a_read_only_data_folder_at_start_is_retried_until_writable(small_disk: Path) -> None:
    tmp_path = small_disk.parent
    remount(small_disk, "ro")
    kiosk = KioskProcess(
        write_config(tmp_path),
        small_disk,
        "--seconds",
        "400",
        "--press",
        "1:start",
        source=str(CLIP),
    )
    try:
        line = kiosk.wait_for("storage unavailable", timeout=120)
        assert "read-only" in line
        time.sleep(2.0)
        remount(small_disk, "rw")
        kiosk.wait_for("saved again", timeout=60)
        kiosk.wait_for("-> session", timeout=180)
        time.sleep(4.0)
    finally:
        status = stop(kiosk)
    assert status == 0
    assert sessions(small_disk)[0][1] == "interrupted"


def test_a_full_disk_mid_session_is_shown_counted_and_loses_nothing_once_freed(
    small_disk: Path,
) -> None:
    tmp_path = small_disk.parent
    kiosk, _ = start_session(tmp_path, small_disk)
    filler = small_disk / "filler"
    try:
        time.sleep(3.0)
        with open(filler, "wb") as fh:  # fill the disk to the last block
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        kiosk.wait_for("not saving", timeout=60)
        time.sleep(4.0)
        filler.unlink()
        time.sleep(6.0)
    finally:
        filler.unlink(missing_ok=True)
        status = stop(kiosk)
    assert status == 0
    summary = kiosk.summary()
    assert summary["storage_failures"] >= 1
    (sid, state, _s, _e), *_ = sessions(small_disk)
    assert state == "interrupted"
    times = sample_times(small_disk, sid)
    gap = largest_gap(times)
    print(f"\nFIGURE full disk: {summary['storage_failures']} failures, largest gap {gap:.0f} s")
    assert gap <= MAX_LOST_S
