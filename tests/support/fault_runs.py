"""A kiosk process with a guest session running, and what its database kept: for fault tests."""

from __future__ import annotations

import itertools
import signal
import sqlite3
import time
from pathlib import Path

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
