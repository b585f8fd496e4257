"""Two stations, one real PostgreSQL: a member's history and baseline follow them; conflicts."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg
from support.fleet import GOOD_SUMMARY, FleetDb, Station

from kiosk.fleet.directory import forget_central, import_central
from kiosk.members.roster import fresh_baseline
from kiosk.session.progression import outcome_from_summary, suggest_next
from kiosk.store.database import Member

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)
BEN = Member("1002", "Ben", dt.date(2099, 1, 1), 1)
GOOD_OUTCOME = outcome_from_summary(GOOD_SUMMARY)


def import_on_server(db: FleetDb, *members: Member) -> None:
    with psycopg.connect(db.manager_url(), autocommit=True) as conn:
        import_central(conn, list(members))


def test_station_b_shows_station_a_history_and_baseline_at_check_in(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, b = two_stations
    import_on_server(fleet_db, ANA)
    a.sync.sync_now()
    assert a.checkin.check_in("1001", "qr").ok
    a.store.save_baseline("1001", {"trunk_lean": 4.2, "frames": 90}, time.time())
    a.walk("1001", time.time() - 900)
    a.sync.sync_now()
    # B never synced: it does not even know Ana yet
    assert b.store.get_member("1001") is None

    result = b.checkin.check_in("1001", "card")

    assert result.ok and result.member == ANA
    # no note = the server answered within the look-up deadline (1 s); timing is benched
    assert b.checkin.last_fleet_note is None and b.notices == []
    history = b.store.list_sessions("1001", statuses=("completed", "stopped"))
    assert [(s.station_id, s.summary) for s in history] == [("a", GOOD_SUMMARY)]
    stored = b.store.load_baseline("1001")
    assert stored is not None
    assert fresh_baseline(stored, time.time(), 30) == {"trunk_lean": 4.2, "frames": 90}
    # progression at B builds on A's good session instead of starting over
    assert suggest_next(history, ANA.level).kind == "progress"
    assert suggest_next([], ANA.level).kind == "start"


def test_the_same_member_at_two_stations_at_once_keeps_both_sessions_and_the_newest_baseline(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, b = two_stations
    import_on_server(fleet_db, ANA)
    barrier = threading.Barrier(2)
    results = {}

    def at(station: Station, captured: float) -> None:
        barrier.wait()
        results[station.id] = station.checkin.check_in("1001", "qr")
        station.store.save_baseline("1001", {"by": station.id}, captured)
        station.walk("1001", time.time() - 300)
        barrier.wait()
        station.sync.sync_now()

    now = time.time()
    threads = [
        threading.Thread(target=at, args=(a, now - 5)),
        threading.Thread(target=at, args=(b, now)),  # b captured last: its baseline wins
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["a"].ok and results["b"].ok

    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE member_id = '1001'") == 2
    assert fleet_db.count("SELECT COUNT(*) FROM checkins WHERE member_id = '1001'") == 2
    assert fleet_db.count("SELECT COUNT(*) FROM baselines WHERE station_id = 'b'") == 1
    a.sync.sync_now()
    b.sync.sync_now()
    for station in (a, b):
        sessions = station.store.list_sessions("1001")
        assert sorted(s.station_id for s in sessions) == ["a", "b"]
        stored = station.store.load_baseline("1001")
        assert stored is not None and stored.data == {"by": "b"}


def test_member_forgotten_centrally_while_a_station_is_offline_is_erased_there_and_not_reuploaded(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _b = two_stations
    import_on_server(fleet_db, ANA, BEN)
    a.sync.sync_now()
    a.walk("1001", time.time() - 3000)  # synced before the outage
    a.sync.sync_now()
    fleet_db.pg.stop()
    try:
        # offline: both walk; the check-in is never refused, staff hear the copy was used
        for member_id in ("1001", "1002"):
            assert a.checkin.check_in(member_id, "qr").ok
            a.walk(member_id, time.time() - 600)
        a.store.save_baseline("1001", {"by": "a"}, time.time())
        assert len(a.notices) == 2 and "copy" in a.notices[0]
    finally:
        fleet_db.pg.start()
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        assert forget_central(conn, "1001")
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE member_id = '1001'") == 0

    report = a.sync.sync_now()

    assert report.forgotten == ["1001"]
    assert a.store.get_member("1001") is None
    assert a.store.list_sessions("1001") == [] and a.store.list_checkins("1001") == []
    assert a.store.load_baseline("1001") is None
    for table in ("sessions", "checkins", "baselines"):
        assert fleet_db.count(f"SELECT COUNT(*) FROM {table} WHERE member_id = '1001'") == 0
    assert fleet_db.count("SELECT COUNT(*) FROM checkins WHERE claimed_id = '1001'") == 0
    assert fleet_db.count("SELECT COUNT(*) FROM members WHERE id = '1001'") == 0
    # Ben's offline session and check-in arrived
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE member_id = '1002'") == 1
    assert fleet_db.count("SELECT COUNT(*) FROM checkins WHERE member_id = '1002'") == 1
    assert a.store.outbox_counts().total == 0


def test_the_kiosk_check_in_at_b_uses_a_baseline_and_plans_from_a_history(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    """The kiosk's own check-in path (MemberSessions, as run in the storage worker)."""
    from kiosk.session.lifecycle import MemberSessions
    from vision.metrics.baseline import Baseline

    a, b = two_stations
    import_on_server(fleet_db, ANA)
    baseline = Baseline(view="side", facing="left", trunk_lean_deg=6.5, samples=90, seconds=3.0)
    a.sync.sync_now()
    a.store.save_baseline("1001", baseline.to_dict(), time.time() - 60)
    a.walk("1001", time.time() - 900)
    a.sync.sync_now()
    errors: list[str] = []
    sessions_b = MemberSessions(b.cfg, b.store, vision=None, on_error=errors.append)  # type: ignore[arg-type]

    answer = sessions_b.check_in(b.checkin, "1001", "card")

    assert answer.ok and answer.details["has_baseline"] is True and errors == []
    assert sessions_b.stored_baseline == baseline  # no re-capture at B
    prepared = sessions_b.prepared
    assert prepared is not None and prepared.previous_summary == GOOD_SUMMARY
    # the suggestion builds on A's good 4-minute session, not a first session's start
    assert GOOD_OUTCOME is not None
    assert prepared.suggestion == suggest_next([GOOD_OUTCOME], ANA.level).text
    assert prepared.suggestion != suggest_next([], ANA.level).text
