"""Storage faults injected into the real kiosk process: a locked, corrupt, read-only or full store.

Each test starts a guest session on a fixture clip, breaks the database or its disk for real
and checks that the kiosk stays up, says so, and loses at most a few seconds of samples. The
figures are printed (``pytest -s``) and quoted in docs/reliability.md.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fault_runs import MAX_LOST_S, largest_gap, sample_times, sessions, start_session, stop
from support.kiosk_process import CLIP, KioskProcess, write_config

pytestmark = pytest.mark.slow  # each test runs the kiosk process


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
