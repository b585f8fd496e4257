"""Stops and starts under fault, on the real kiosk process: early and repeated signals, a full disk.

Every stop must end the one documented way: the JSON line on stdout, exit status 0 for a
signal, no traceback in the log.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fault_runs import sample_times, sessions, start_session
from support.kiosk_process import KioskProcess, write_config

pytestmark = pytest.mark.slow


def clean_end(kiosk: KioskProcess, status: int) -> dict[str, object]:
    """The JSON summary, after checking the exit was the clean one."""
    log = "\n".join(kiosk.log)
    assert status == 0, f"exit {status}\n{kiosk.tail()}"
    assert "Traceback" not in log, kiosk.tail()
    assert "Aborted!" not in log + kiosk.stdout
    summary = kiosk.summary()
    assert summary["exit"] == "signal"
    return summary


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_in_the_first_second_prints_the_summary_and_exits_cleanly(
    tmp_path: Path, sig: int
) -> None:
    kiosk = KioskProcess(write_config(tmp_path), tmp_path / "data", "--seconds", "60")
    try:
        time.sleep(1.0)  # the interpreter is still importing and loading
        kiosk.signal(sig)
        status = kiosk.finish(timeout=90)
    finally:
        kiosk.kill()
    clean_end(kiosk, status)


def test_a_second_sigterm_and_a_ctrl_c_during_shutdown_end_the_same_clean_way(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    kiosk, _ = start_session(tmp_path, data)
    try:
        time.sleep(4.0)
        kiosk.signal(signal.SIGTERM)
        kiosk.wait_for("stopping", timeout=30)
        kiosk.signal(signal.SIGTERM)  # an impatient `systemctl stop` or a second Ctrl-C
        kiosk.signal(signal.SIGINT)
        status = kiosk.finish(timeout=60)
    finally:
        kiosk.kill()
    clean_end(kiosk, status)
    (sid, state, _s, _e), *_ = sessions(data)
    samples = len(sample_times(data, sid))
    print(f"\nFIGURE second signal: session {state}, {samples} samples kept")
    assert state == "interrupted" and samples >= 3


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB tmpfs (root only), filled to its last block."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        with open(mount / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_at_the_very_first_start_runs_without_saving_and_says_disk_full(
    tmp_path: Path, full_disk: Path
) -> None:
    data = full_disk / "data"  # a first start: not even the data folder exists yet
    kiosk = KioskProcess(
        write_config(tmp_path),
        data,
        "--seconds",
        "8",
        source="demo",
        env={"BACKSTEP_STATE_DIR": str(tmp_path / "state")},
    )
    try:
        status = kiosk.finish(timeout=120)
    finally:
        kiosk.kill()
    log = "\n".join(kiosk.log)
    assert status == 0, kiosk.tail()
    assert "Traceback" not in log, kiosk.tail()
    summary = kiosk.summary()
    assert summary["frames_drawn"] > 0  # the station came up and drew its screens
    assert summary["saving"] is False
    assert "is full" in log, kiosk.tail()
    assert "disk I/O error" not in log, kiosk.tail()
