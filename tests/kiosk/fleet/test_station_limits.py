"""A station's login writes only its own records: each refusal against the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import psycopg
import pytest
from support.fleet import FleetDb, Station

from kiosk.fleet.directory import import_central
from kiosk.store.database import Member

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)


def login(db: FleetDb, station_id: str) -> psycopg.Connection[Any]:
    """The station's own database login, as its sync worker uses it."""
    url = db.pg.url(f"backstep_{station_id}", db.passwords[station_id], db.name)
    return psycopg.connect(url, autocommit=True)


@pytest.fixture
def a_session(two_stations: tuple[Station, Station], fleet_db: FleetDb) -> str:
    """Ana's session recorded and uploaded by station a; its UUID on the server."""
    a, _ = two_stations
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    a.sync.sync_now()
    a.walk("1001", time.time() - 900)
    a.sync.sync_now()
    with login(fleet_db, "a") as conn:
        row = conn.execute("SELECT uuid FROM sessions WHERE station_id = 'a'").fetchone()
    assert row is not None
    return str(row[0])


def test_a_forged_event_or_sample_in_another_stations_session_is_refused(
    a_session: str, fleet_db: FleetDb
) -> None:
    with login(fleet_db, "b") as b:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not this station"):
            b.execute(
                "INSERT INTO events (session_uuid, seq, t, kind, data)"
                " VALUES (%s, 999, 1.0, 'safety', '{\"kind\": \"fall\"}')",
                (a_session,),
            )
        copy_sql = "COPY samples (session_uuid, seq, t, trunk_lean) FROM STDIN"
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            b.cursor() as cur,
            cur.copy(copy_sql) as copy,
        ):
            copy.write_row((a_session, 999, 1.0, 45.0))
    assert fleet_db.count("SELECT count(*) FROM events WHERE kind = 'safety'") == 0
    assert fleet_db.count("SELECT count(*) FROM samples WHERE seq = 999") == 0


def test_a_baseline_captured_ten_years_ahead_is_refused(a_session: str, fleet_db: FleetDb) -> None:
    ahead = time.time() + 10 * 365 * 86400
    with login(fleet_db, "b") as b, pytest.raises(psycopg.errors.CheckViolation, match="future"):
        b.execute(
            "INSERT INTO baselines (member_id, captured, data, station_id)"
            " VALUES ('1001', to_timestamp(%s), '{}', 'b') ON CONFLICT (member_id) DO UPDATE"
            " SET captured = excluded.captured, data = excluded.data",
            (ahead,),
        )
    assert fleet_db.count("SELECT count(*) FROM baselines WHERE captured > now()") == 0


def test_a_baseline_in_another_stations_name_is_refused(a_session: str, fleet_db: FleetDb) -> None:
    with login(fleet_db, "b") as b, pytest.raises(psycopg.errors.InsufficientPrivilege):
        b.execute(
            "INSERT INTO baselines (member_id, captured, data, station_id)"
            " VALUES ('1001', now(), '{}', 'a')"
        )


def test_another_stations_row_in_stations_cannot_be_rewritten(
    a_session: str, fleet_db: FleetDb
) -> None:
    before = fleet_db.count(
        "SELECT extract(epoch FROM last_sync)::bigint FROM stations WHERE id='a'"
    )
    with login(fleet_db, "b") as b:
        changed = b.execute(
            "UPDATE stations SET last_sync = now() - interval '1 year', waiting = 9999"
            " WHERE id = 'a'"
        ).rowcount
        assert changed == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute(
                "INSERT INTO stations (id, last_sync, waiting) VALUES ('a', now(), 9999)"
                " ON CONFLICT (id) DO UPDATE SET waiting = excluded.waiting"
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("INSERT INTO stations (id, last_sync) VALUES ('front-9', now())")
        # its own row it may keep
        b.execute(
            "INSERT INTO stations (id, last_sync, waiting) VALUES ('b', now(), 0)"
            " ON CONFLICT (id) DO UPDATE SET last_sync = now()"
        )
    after = fleet_db.count(
        "SELECT extract(epoch FROM last_sync)::bigint FROM stations WHERE id='a'"
    )
    assert after == before
    assert fleet_db.count("SELECT waiting FROM stations WHERE id = 'a'") == 0


@pytest.mark.parametrize(
    ("member_id", "name"),
    [
        ("2001", "N" * 100_000),  # a 100 kB name
        ("2002", "Eve\x1b]0;pwned\x07\x1b[2J"),  # terminal escapes
        ("2003", "Mallory\u202egnp.exe"),  # a bidi override
        ("x" * 41, "Long Id"),
        ("20 04;", "Spaced Id"),
    ],
)
def test_a_member_with_a_bad_id_or_name_is_refused(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, member_id: str, name: str
) -> None:
    with login(fleet_db, "b") as b, pytest.raises(psycopg.errors.CheckViolation):
        b.execute(
            "INSERT INTO members (id, name, expires) VALUES (%s, %s, '2099-01-01')",
            (member_id, name),
        )
    assert fleet_db.count("SELECT count(*) FROM members") == 0


def test_the_station_still_writes_its_own_records(a_session: str, fleet_db: FleetDb) -> None:
    with login(fleet_db, "a") as a:
        a.execute(
            "INSERT INTO events (session_uuid, seq, t, kind) VALUES (%s, 500, 1.0, 'cue')",
            (a_session,),
        )
        a.execute(
            "INSERT INTO baselines (member_id, captured, data, station_id)"
            " VALUES ('1001', now() + interval '30 seconds', '{}', 'a')"
        )
    # a small lead is clamped to the server's clock, not kept
    assert fleet_db.count("SELECT count(*) FROM baselines WHERE captured <= now()") == 1
