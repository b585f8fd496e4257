"""A session that begins while another program holds the database lock is still saved."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from kiosk.session.recorder import SessionRecorder
from kiosk.store.database import Store
from vision.types import FrameMetrics


def test_a_session_begun_under_a_lock_is_written_once_the_lock_goes(tmp_path: Path) -> None:
    db = tmp_path / "backstep.sqlite3"
    errors: list[str] = []
    with Store(db, timeout_s=0.3) as store:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another writer, e.g. a stray sqlite3 shell
        rec = SessionRecorder(store, on_error=errors.append)
        rec.start(None, "starter", t=0.0)
        for i in range(60):  # 6 s of the caller's clock while locked
            rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
        time.sleep(1.5)  # the writer meets the lock (0.3 s timeout) at least once
        holder.execute("ROLLBACK")
        holder.close()
        for i in range(60, 100):
            rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
        rec.finish("stopped", {"backward_minutes": 0.1}, t=10.0)
        rec.close(10.0)
        rows = store._read(lambda c: c.execute("SELECT id FROM sessions").fetchall())
        assert len(rows) == 1
        sid = int(rows[0][0])
        assert errors  # the lock was reported (the app counts and shows these)
        assert [s.t for s in store.samples(sid)] == [float(i) for i in range(10)]
        session = store.get_session(sid)
        assert session is not None and session.status == "stopped"
