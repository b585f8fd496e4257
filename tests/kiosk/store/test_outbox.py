"""The station database as the fleet's outbox: UUIDs, waiting rows, acknowledgements, cache."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

from kiosk.store.database import Member, Store
from kiosk.store.migrations import migrate
from kiosk.store.outbox import RemoteSession

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
T0 = 1_760_000_000.0


def uuids(store: Store, table: str) -> list[str]:
    return [r[0] for r in store._read(lambda c: c.execute(f"SELECT uuid FROM {table}").fetchall())]


def test_migration_gives_old_rows_uuids_and_puts_them_in_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    migrate(conn, target=3)
    for i in range(3):
        conn.execute(
            "INSERT INTO sessions (member_id, program, started, ended, status)"
            " VALUES (NULL, 'starter', ?, ?, 'completed')",
            (T0 + i, T0 + i + 60),
        )
    conn.execute("INSERT INTO checkins (t, station_id, method) VALUES (1.0, 's', 'guest')")
    conn.execute("COMMIT")
    conn.close()

    with Store(path) as store:
        assert all(UUID4.match(u) for u in uuids(store, "sessions") + uuids(store, "checkins"))
        assert len(set(uuids(store, "sessions"))) == 3
        counts = store.outbox_counts()
        assert (counts.sessions, counts.checkins, counts.baselines) == (3, 1, 0)


def test_new_rows_get_a_uuid_and_leave_the_outbox_only_when_acknowledged(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        sid = store.start_session(None, "starter", T0, "a")
        assert store.outbox_counts().sessions == 0  # active: uploads when it ends
        store.finish_session(sid, "completed", T0 + 60, {"backward_minutes": 1})
        [pending] = store.pending_sessions(10)
        assert UUID4.match(pending.uuid)
        store.mark_synced(sessions=[pending], at=T0 + 61)
        assert store.outbox_counts().total == 0
        store.upsert_members([Member("1", "Al", dt.date(2099, 1, 1))])
        store.save_baseline("1", {"v": 1}, T0)
        [baseline] = store.pending_baselines()
        store.mark_synced(baselines=[baseline], at=T0 + 2)
        store.save_baseline("1", {"v": 2}, T0 + 5)  # re-captured: back in the outbox
        assert [b.data for b in store.pending_baselines()] == ['{"v": 2}']


def test_a_session_changed_after_it_was_read_stays_in_the_outbox(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        sid = store.start_session(None, "starter", T0, "a")
        store.finish_session(sid, "stopped", T0 + 30, None)
        [read] = store.pending_sessions(10)
        store.finish_session(sid, "completed", T0 + 60, {"m": 1})  # changed meanwhile
        store.mark_synced(sessions=[read], at=T0 + 61)
        assert store.outbox_counts().sessions == 1


def test_cached_sessions_of_other_stations_are_history_not_outbox(tmp_path: Path) -> None:
    remote = RemoteSession(
        "0b5e9c3a-1111-4222-8333-444455556666", "7", "starter", "b", T0, T0 + 60, "completed",
        {"backward_minutes": 2},
    )  # fmt: skip
    with Store(tmp_path / "s.sqlite3") as store:
        import datetime as dt

        from kiosk.store.database import Member

        store.upsert_members([Member("7", "Al", dt.date(2099, 1, 1))])
        assert store.cache_sessions([remote, remote], T0) == 1
        assert store.cache_sessions([remote], T0) == 0
        [s] = store.list_sessions("7")
        assert s.station_id == "b" and s.summary == {"backward_minutes": 2}
        assert store.outbox_counts().total == 0
        assert store.cache_baseline("7", T0, {"v": "b"}, T0)
        assert not store.cache_baseline("7", T0 - 10, {"v": "older"}, T0)
        assert store.outbox_counts().baselines == 0
