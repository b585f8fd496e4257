"""The database file deleted under a running writer; daily backups and `backstep restore`."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from kiosk.config.schema import StorageConfig
from kiosk.session.recorder import SessionRecorder
from kiosk.store.backup import backup_folder, backup_now, list_backups, restore_backup
from kiosk.store.database import Store
from kiosk.store.health import check_storage
from vision.types import FrameMetrics


def counts(db: Path) -> tuple[int, int]:
    """(sessions, samples) in the file at ``db`` as another process sees it (0, 0 if gone)."""
    if not db.exists():
        return (0, 0)
    conn = sqlite3.connect(db)
    try:
        s = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        n = conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        return int(s), int(n)
    finally:
        conn.close()


def history(store: Store, n: int) -> None:
    """``n`` finished sessions of 5 samples each (a station's past)."""
    for _ in range(n):
        rec = SessionRecorder(store, background=False)
        rec.start(None, "starter", t=0.0)
        for i in range(50):
            rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
        rec.finish("completed", None, t=5.0)


def test_a_database_deleted_mid_session_is_recreated_with_its_history_and_said(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("BACKSTEP_DATA_DIR", str(tmp_path))
    db = tmp_path / "backstep.sqlite3"
    errors: list[str] = []
    with Store(db) as store:
        history(store, 3)
        rec = SessionRecorder(store, on_error=errors.append)
        rec.start(None, "starter", t=0.0)
        for i in range(40):
            rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
        rec.flush(4.0)
        time.sleep(0.5)
        before = counts(db)
        os.unlink(db)  # a stray `rm`, a cleanup script
        for i in range(40, 100):
            rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
        rec.finish("completed", None, t=10.0)
        rec.close(5.0)
        notices = list(getattr(store, "notices", []))
    after = counts(db)
    print(f"\nFIGURE deleted database: before {before}, after {after}")
    assert before[0] == 4 and before[1] >= 18
    assert after == (4, 25)  # the history and every sample of the session in progress
    assert notices and "was deleted while the kiosk ran" in notices[0]
    assert "3 session(s) kept" in notices[0] or "4 session(s) kept" in notices[0]
    doctor = check_storage(StorageConfig())
    assert any("was deleted while the kiosk ran" in line for line in doctor), doctor


def test_backups_are_pruned_to_n_and_one_is_restored(tmp_path: Path) -> None:
    db = tmp_path / "backstep.sqlite3"
    with Store(db) as store:
        history(store, 2)
        for k in range(4):
            backup_now(db, keep=3, now=1_700_000_000 + k * 86400.0)
        history(store, 1)
    backups = list_backups(backup_folder(db))
    assert len(backups) == 3
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in backups)
    aside = restore_backup(db, backups[0], time.time())
    assert aside is not None and counts(aside) == (3, 15)
    assert counts(db) == (2, 10)
