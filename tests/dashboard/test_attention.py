"""Who needs attention: regression, missed sessions, safety; and the member list's fast query."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from support.dashboard_data import add_session, seed_load, summary

from dashboard.attention import RECENT, facts_since, member_rows, regression
from dashboard.data import SessionFacts
from dashboard.sqlite_data import SqliteData
from kiosk.config.schema import DashboardConfig, ProgressionConfig
from kiosk.store.database import Member, Store

DAY = 86400.0


def facts(upright: float | None, core: float | None, started: float = 0.0) -> SessionFacts:
    return SessionFacts(1, "M", started, "completed", 5, 5, upright, core, 2, 96, 0, False, 0, 0)


def test_regression_compares_the_latest_session_with_the_three_before() -> None:
    cfg = DashboardConfig()
    steady = [facts(0.9, 70)] * 4
    assert regression(steady, cfg) == []
    worse = [facts(0.9, 70)] * 3 + [facts(0.75, 55)]
    assert regression(worse, cfg) == [
        "upright 15 points below their recent sessions",
        "core score 15 below their recent sessions",
    ]
    # a bad session long ago does not count: only the three before the latest
    assert regression([facts(0.2, 10)] + [facts(0.8, 70)] * 3 + [facts(0.78, 68)], cfg) == []
    assert regression([facts(None, None), facts(0.5, 30)], cfg) == []


def test_members_who_stopped_coming_are_flagged_after_the_configured_days(tmp_path: Path) -> None:
    now = time.time()
    with Store(tmp_path / "backstep.sqlite3") as store:
        store.upsert_members([Member("A", "Away", dt.date(2099, 1, 1))])
        add_session(store, "A", now - 10 * DAY, summary(3, 0.9, 70, 3))
    data = SqliteData(tmp_path / "backstep.sqlite3")
    rows = member_rows(
        data.members(), data.session_facts(), DashboardConfig(), ProgressionConfig(), now
    )
    assert rows[0].reasons == ["no session for 10 days"]
    lenient = DashboardConfig(missed_after_days=14)
    rows = member_rows(data.members(), data.session_facts(), lenient, ProgressionConfig(), now)
    assert rows[0].reasons == []
    data.close()


def test_the_member_lists_recent_query_gives_the_same_rows_as_all_sessions(tmp_path: Path) -> None:
    seed_load(tmp_path, members=30, sessions=600)
    data = SqliteData(tmp_path / "backstep.sqlite3")
    now = time.time()
    cfg, prog = DashboardConfig(), ProgressionConfig()
    recent = data.recent_facts(RECENT + 1, facts_since(now))
    assert len(recent) < 600

    def key(rows):
        return [
            (r.member.id, r.reasons, r.sessions_this_month, r.last_visit, r.suggestion.text)
            for r in rows
        ]

    everything = member_rows(data.members(), data.session_facts(), cfg, prog, now)
    assert key(member_rows(data.members(), recent, cfg, prog, now)) == key(everything)
    data.close()
