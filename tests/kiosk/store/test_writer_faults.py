"""Faults met by the real session writer thread on real SQLite: held rows, a late database.

Rows are counted in the database before and after; the figures (``pytest -s``) are the ones
quoted in docs/reliability.md.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.session.recorder import SessionRecorder
from kiosk.store.database import Store
from kiosk.store.writer import adopt_store, held_rows, ledger_mark, lost_since
from vision.types import FrameMetrics

SECONDS = 12  # samples of one short session


def feed(rec: SessionRecorder, seconds: int) -> None:
    """``seconds`` of metrics at 10 fps on the caller's clock (one sample per second)."""
    for i in range(seconds * 10):
        rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))


def rows(db: Path) -> tuple[int, int, list[str]]:
    """(sessions, samples, statuses) as another process would read them."""
    conn = sqlite3.connect(db)
    try:
        sessions = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        samples = conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        statuses = [r[0] for r in conn.execute("SELECT status FROM sessions ORDER BY id")]
        return int(sessions), int(samples), statuses
    finally:
        conn.close()


def wait_until(cond: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def test_rows_held_at_stop_are_written_when_the_lock_goes_without_more_rows(
    tmp_path: Path,
) -> None:
    db = tmp_path / "backstep.sqlite3"
    errors: list[str] = []
    with Store(db, timeout_s=0.2) as store:
        rec = SessionRecorder(store, on_error=errors.append)
        rec.start(None, "starter", t=0.0)
        assert rec.wait_started(5.0) is not None
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # a backup tool holds the database
        feed(rec, SECONDS)
        # the member presses STOP while the database is locked; the app closes the recorder
        # without waiting (it never waits on the disk in the UI loop)
        rec.finish("completed", {"backward_minutes": 0.2}, t=float(SECONDS))
        rec.close(timeout=0)
        time.sleep(1.0)
        before = rows(db)
        assert held_rows() > 0  # the NOT SAVING mark stays while these are held
        holder.execute("ROLLBACK")  # the lock goes; no more rows will come
        holder.close()
        assert wait_until(lambda: rows(db)[2] == ["completed"], 10.0), rows(db)
        after = rows(db)
    print(f"\nFIGURE held at stop: before {before}, after {after}")
    assert errors
    assert before[1] == 0
    assert after[1] == SECONDS  # every sample, the end and the summary
    assert held_rows() == 0


def test_at_stop_the_writer_says_what_it_could_not_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "backstep.sqlite3"
    mark = ledger_mark()
    with Store(db, timeout_s=0.2) as store:
        rec = SessionRecorder(store, on_error=lambda _m: None)
        rec.start(None, "starter", t=0.0)
        assert rec.wait_started(5.0) is not None
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        feed(rec, SECONDS)
        rec.finish("completed", None, t=float(SECONDS))
        rec.close(timeout=0)
        time.sleep(0.5)
        with caplog.at_level(logging.ERROR):
            rec.close(timeout=3.0)  # the process is told to stop; the lock is still held
        holder.execute("ROLLBACK")
        holder.close()
    lost = lost_since(mark)
    assert lost.samples == SECONDS and lost.session_ends == 1 and lost.sessions == 1
    assert any("could not write 12 sample(s)" in r.getMessage() for r in caplog.records)
    assert rows(db)[1] == 0


def test_a_session_begun_before_the_database_opens_is_written_once_it_opens(
    tmp_path: Path,
) -> None:
    db = tmp_path / "backstep.sqlite3"
    errors: list[str] = []
    rec = SessionRecorder(None, on_error=errors.append)  # the database could not be opened
    rec.start(None, "starter", t=0.0)
    feed(rec, SECONDS)
    time.sleep(0.5)
    assert held_rows() > 0  # NOT SAVING stays: nothing of this session is on disk
    with Store(db) as store:
        before = rows(db)
        assert adopt_store(store) == 1  # the opener got it open: the writer takes it
        rec.finish("stopped", None, t=float(SECONDS))
        rec.close(timeout=0)
        assert wait_until(lambda: rows(db)[2] == ["stopped"], 10.0), rows(db)
        after = rows(db)
    print(f"\nFIGURE begun without a database: before {before}, after {after}")
    assert before == (0, 0, [])
    assert after[1] == SECONDS
    assert held_rows() == 0
