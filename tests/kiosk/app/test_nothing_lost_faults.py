"""Issue 23 faults on the real kiosk process: rows held at stop, a late database, a deleted file.

Rows are counted in the database after the run; the figures (``pytest -s``) are the ones in
docs/reliability.md.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fault_runs import largest_gap, sample_times, sessions, start_session, stop
from support.kiosk_process import CLIP, KioskProcess, write_config
from support.paths import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB tmpfs (root only): a disk that can be filled."""
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


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_rows_held_when_the_kiosk_stops_on_a_full_disk_are_reported_not_saving(
    small_disk: Path,
) -> None:
    kiosk, _ = start_session(small_disk.parent, small_disk)
    try:
        time.sleep(3.0)
        fill(small_disk)
        kiosk.wait_for("not saving", timeout=60)
        time.sleep(4.0)
    finally:
        status = stop(kiosk)  # the disk is still full: the held rows cannot be written
    assert status == 0
    summary = kiosk.summary()
    unsaved = summary["unsaved"]
    print(f"\nFIGURE stop on a full disk: unsaved {unsaved}, saving {summary['saving']}")
    assert summary["saving"] is False  # it said "saving": true before
    assert unsaved["samples"] >= 3 and unsaved["session_ends"] == 1
    assert any("could not write" in line for line in kiosk.log), kiosk.tail()


def test_a_session_begun_under_a_lock_at_start_is_recorded_from_its_first_second(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = sqlite3.connect(data / "backstep.sqlite3", isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the database at start
    kiosk = KioskProcess(
        write_config(tmp_path), data, "--seconds", "400", "--press", "1:start", source=str(CLIP)
    )
    try:
        kiosk.wait_for("storage unavailable", timeout=120)
        kiosk.wait_for("-> session", timeout=180)
        began = time.monotonic()
        time.sleep(4.0)  # the member walks; nothing can be written yet
        holder.execute("ROLLBACK")
        holder.close()
        kiosk.wait_for("saved again", timeout=60)
        time.sleep(5.0)
        walked = time.monotonic() - began
    finally:
        status = stop(kiosk)
    assert status == 0
    rows = sessions(data)
    assert rows, "the session begun without a database was never recorded"
    sid = rows[0][0]
    times = sample_times(data, sid)
    print(f"\nFIGURE begun under a lock: {len(times)} samples of {walked:.0f} s walked")
    assert len(times) >= walked - 3.0
    assert largest_gap(times) <= 3.0


def test_a_database_deleted_mid_session_is_recreated_said_and_restore_waits_for_the_kiosk(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    config = write_config(tmp_path)
    kiosk, _ = start_session(tmp_path, data)
    restore = [sys.executable, "-c", "from kiosk.cli import main; main()", "restore"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BACKSTEP_DATA_DIR": str(data)}
    try:
        time.sleep(3.0)
        began = time.monotonic() - 3.0
        (data / "backstep.sqlite3").unlink()  # a cleanup script, a stray rm
        kiosk.wait_for("was deleted while the kiosk ran", timeout=30)
        refused = subprocess.run(
            [*restore, "--config", str(config)], env=env, capture_output=True, text=True
        )
        time.sleep(3.0)
        walked = time.monotonic() - began
    finally:
        status = stop(kiosk)
    assert status == 0
    assert refused.returncode == 3 and "already using" in refused.stderr
    (sid, state, _s, _e), *_ = sessions(data)
    times = sample_times(data, sid)
    print(f"\nFIGURE deleted mid-session: {len(times)} samples of {walked:.0f} s kept")
    assert state == "interrupted"
    assert len(times) >= walked - 3.0
    backups = list((data / "backups").glob("backstep-*.sqlite3"))
    assert len(backups) == 1  # the first daily backup is taken at start
    doctor = subprocess.run(
        [*restore[:-1], "doctor", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "was deleted while the kiosk ran" in doctor.stdout + doctor.stderr
    restored = subprocess.run(
        [*restore, "--config", str(config)], env=env, capture_output=True, text=True
    )
    assert restored.returncode == 0, restored.stderr
    assert list(data.glob("backstep.sqlite3.before-restore-*"))


def test_doctor_sees_the_full_disk_the_kiosk_saw_and_the_recovery(small_disk: Path) -> None:
    from kiosk.doctor.checks import check_recording

    kiosk, _ = start_session(small_disk.parent, small_disk)
    filler = small_disk / "filler"
    try:
        time.sleep(3.0)
        fill(small_disk)
        kiosk.wait_for("not saving", timeout=60)
        time.sleep(2.0)
        during = check_recording(small_disk)  # another process, as `backstep doctor` is
        filler.unlink()
        kiosk.wait_for("recording works again", timeout=30)
        time.sleep(1.0)
        after = check_recording(small_disk)
    finally:
        filler.unlink(missing_ok=True)
        status = stop(kiosk)
    print(f"\nFIGURE doctor on a full disk: during {during.status}, after {after.status}")
    assert status == 0
    assert during.status == "fail" and "recording FAILED" in during.detail, during
    assert after.status == "warn" and "saving again" in after.detail, after


@pytest.mark.long
def test_stop_pressed_on_a_full_disk_is_saved_whole_once_space_comes_back(
    small_disk: Path,
) -> None:
    kiosk = KioskProcess(
        write_config(small_disk.parent),
        small_disk,
        "--seconds",
        "400",
        "--press",
        "1:start,30:stop",  # the member's STOP comes while the disk is full
        source=str(CLIP),
    )
    filler = small_disk / "filler"
    try:
        kiosk.wait_for("-> session", timeout=25)  # loop time: STOP at 30 s is mid-session
        began = time.monotonic()
        time.sleep(3.0)
        fill(small_disk)
        kiosk.wait_for("not saving", timeout=30)
        kiosk.wait_for("-> summary", timeout=40)
        walked = time.monotonic() - began
        time.sleep(3.0)  # nothing more will come from this session
        filler.unlink()  # space comes back
        time.sleep(8.0)  # the writer's own retry (0.5 s doubling to 5 s) must find it
    finally:
        filler.unlink(missing_ok=True)
        status = stop(kiosk)
    assert status == 0
    (sid, state, _s, _e), *_ = sessions(small_disk)
    times = sample_times(small_disk, sid)
    summary = kiosk.summary()
    print(f"\nFIGURE STOP on a full disk: {state}, {len(times)} samples of {walked:.0f} s walked")
    assert state == "stopped"  # the member's own stop: it counts for progression
    assert len(times) >= walked - 3.0 and largest_gap(times) <= 3.0
    assert summary["saving"] is True and summary["unsaved"]["samples"] == 0
