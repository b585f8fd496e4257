"""The next-session suggestion follows the training advice (backward-walking.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.config.schema import ProgressionConfig
from kiosk.session.progression import SessionOutcome, suggest_next
from kiosk.store.database import Store
from kiosk.store.records import Member

CFG = ProgressionConfig()


def good(minutes: float, incline: float = 0.0, intervals: bool = False) -> SessionOutcome:
    return SessionOutcome(minutes, 0.9, incline, intervals)


def poor(minutes: float, incline: float = 0.0, intervals: bool = False) -> SessionOutcome:
    return SessionOutcome(minutes, 0.4, incline, intervals)


def test_a_new_member_starts_at_two_to_three_minutes_or_by_level() -> None:
    first = suggest_next([], None, CFG)
    assert 2 <= first.backward_minutes <= 3 and first.incline_percent == 0
    assert not first.intervals and first.kind == "start" and "rails" in first.text
    assert suggest_next([], 2, CFG).backward_minutes == 5.0
    assert suggest_next([], 99, CFG).backward_minutes == 10.0  # clamped to the last level


def test_a_good_session_adds_time_up_to_fifteen_minutes() -> None:
    s = suggest_next([good(2.5)], 1, CFG)
    assert (s.backward_minutes, s.kind) == (4.0, "progress")
    assert "4 minutes" in s.text
    assert suggest_next([good(14.0)], 1, CFG).backward_minutes == 15.0


def test_at_full_time_good_sessions_add_incline_then_intervals() -> None:
    s = suggest_next([good(15.0)], 1, CFG)
    assert (s.backward_minutes, s.incline_percent, s.intervals) == (15.0, 5.0, False)
    assert "5% incline" in s.text
    s = suggest_next([good(15.0, 5.0)], 1, CFG)
    assert s.incline_percent == 10.0
    s = suggest_next([good(15.0, 10.0)], 1, CFG)
    assert s.intervals and s.incline_percent == 10.0 and "intervals" in s.text
    s = suggest_next([good(15.0, 10.0, True)], 1, CFG)
    assert s.kind == "hold" and s.intervals


def test_a_middling_session_holds_and_a_poor_one_steps_back() -> None:
    middling = suggest_next([SessionOutcome(6.0, 0.7)], 1, CFG)
    assert (middling.backward_minutes, middling.kind) == (6.0, "hold")
    back = suggest_next([poor(6.0)], 1, CFG)
    assert (back.backward_minutes, back.kind) == (4.5, "step_back")
    assert suggest_next([poor(2.5)], 1, CFG).backward_minutes == 2.5  # never below the start
    s = suggest_next([poor(15.0, 10.0, True)], 1, CFG)
    assert (s.intervals, s.incline_percent) == (False, 10.0)  # intervals go first
    s = suggest_next([poor(15.0, 10.0)], 1, CFG)
    assert s.incline_percent == 5.0 and s.backward_minutes == 15.0


def test_the_threshold_is_configurable_and_unknown_share_holds() -> None:
    strict = ProgressionConfig(good_upright_share=0.95)
    assert suggest_next([good(5.0)], 1, strict).kind == "hold"
    assert suggest_next([SessionOutcome(5.0, None)], 1, CFG).kind == "hold"


def test_history_from_the_database_uses_the_latest_finished_session(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
        summaries = [
            ("completed", {"backward_minutes": 2.5, "upright_share": 0.9}),
            ("completed", {"backward_minutes": 4.0, "upright_share": 0.85}),
            ("interrupted", {"backward_minutes": 1.0, "upright_share": 0.1}),  # power cut
        ]
        for i, (status, summary) in enumerate(summaries):
            sid = store.start_session("1", "starter", 1000.0 + i)
            store.finish_session(sid, status, 2000.0 + i, summary)  # type: ignore[arg-type]
        history = store.list_sessions("1", newest_first=True)
    s = suggest_next(history, 1, CFG)
    assert s.backward_minutes == 5.5 and s.kind == "progress"
