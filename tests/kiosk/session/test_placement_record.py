"""A session's record keeps the placement check in force when it began (issue 26)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from kiosk.config.schema import BackstepConfig
from kiosk.session.lifecycle import MemberSessions
from kiosk.store.database import Store
from kiosk.store.placement_state import save_placement


class StillVision:
    """The few vision calls a session's start makes, on a member with no baseline."""

    baseline = None

    def set_baseline(self, baseline: Any) -> None:
        self.baseline = baseline

    def reset_session(self) -> None:
        pass

    def set_incline(self, percent: float) -> None:
        pass


def _placement_events(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT data FROM events WHERE kind = 'placement'").fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def _run_session(data_dir: Path) -> Path:
    db = data_dir / "backstep.sqlite3"
    cfg = BackstepConfig()
    with Store(db) as store:
        sessions = MemberSessions(cfg, store, StillVision(), lambda msg: None)  # type: ignore[arg-type]
        run = sessions.begin(None, 0.0, "none")
        assert run.recorder is not None
        run.recorder.finish("stopped", {}, t=1.0)
        run.recorder.close(timeout=5.0)
    return db


def test_the_last_placement_check_goes_into_the_session_record(data_dir: Path) -> None:
    save_placement(data_dir, {"level": "fail", "light": "pass"}, now=time.time() - 3600)
    events = _placement_events(_run_session(data_dir))
    assert len(events) == 1
    assert events[0]["level"] == "fail" and events[0]["light"] == "pass"
    assert events[0]["checked_at"] > 0


def test_no_check_run_leaves_no_placement_event(data_dir: Path) -> None:
    assert _placement_events(_run_session(data_dir)) == []
