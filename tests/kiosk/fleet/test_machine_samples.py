"""The belt and the heart reach the fleet: the samples' new columns, uploaded as stored."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from support.fleet import GOOD_SUMMARY, FleetDb, Station
from support.postgres import TestPostgres

from kiosk.fleet.central import MIGRATIONS, FleetError, migrate_central
from kiosk.fleet.directory import import_central
from kiosk.fleet.sync import sync_once
from kiosk.store.database import Member, Sample, Store

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)


def test_speed_incline_distance_stride_and_heart_rate_are_uploaded_with_each_sample(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    a.sync.sync_now()
    sid = a.store.start_session("1001", "starter", time.time() - 600, a.id)
    a.store.append_session_data(
        sid,
        [
            Sample(0.0, 3.0, 1.0, 80.0, 95.0, "upright", 4.2, 1.5, 1.2, 0.74, 131),
            Sample(1.0, 3.0, 1.0, 80.0, 95.0, "upright"),  # a quiet link: nulls, still a row
        ],
        [],
    )
    a.store.finish_session(sid, "completed", time.time() - 540, GOOD_SUMMARY)
    a.sync.sync_now()
    with psycopg.connect(fleet_db.admin_url()) as conn:
        rows = conn.execute(
            "SELECT seq, speed_kmh, incline_pct, distance_m, stride_m, heart_rate_bpm"
            " FROM samples JOIN sessions ON uuid = session_uuid WHERE station_id = %s"
            " ORDER BY seq",
            (a.id,),
        ).fetchall()
    assert len(rows) == 2
    seq, speed, incline, distance, stride, bpm = rows[0]
    assert (seq, bpm) == (0, 131)
    assert (round(speed, 2), round(incline, 2), round(distance, 2), round(stride, 2)) == (
        4.2,
        1.5,
        1.2,
        0.74,
    )
    assert rows[1][1:] == (None, None, None, None, None)


def test_a_birth_year_set_centrally_reaches_the_other_station(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    _, b = two_stations
    born = Member("1002", "Bea", dt.date(2099, 1, 1), 1, birth_year=1975)
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [born])
        import_central(conn, [Member("1002", "Bea", dt.date(2099, 1, 1), 2)])  # a file without
    b.sync.sync_now()
    member = b.store.get_member("1002")
    assert member is not None and member.birth_year == 1975 and member.level == 2


def schema3_server(pg_server: TestPostgres) -> str:
    """A fleet database as the Backstep before issue 27 left it (schema 3); its name."""
    name = f"fleet_schema3_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    with psycopg.connect(pg_server.url(db=name), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
            " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for step in MIGRATIONS[:3]:
            conn.execute(step.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
    return name


def test_schema_4_on_a_server_with_rows_keeps_them_and_leaves_the_new_columns_empty(
    pg_server: TestPostgres,
) -> None:
    name = schema3_server(pg_server)
    url = pg_server.url(db=name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO members (id, name, expires) VALUES ('7', 'Ada', '2099-01-01')")
        conn.execute(
            "INSERT INTO sessions (uuid, member_id, station_id, program, started, status)"
            " VALUES ('00000000-0000-0000-0000-000000000007', '7', 'a', 'p', now(), 'completed')"
        )
        for seq in range(60):
            conn.execute(
                "INSERT INTO samples (session_uuid, seq, t, posture)"
                " VALUES ('00000000-0000-0000-0000-000000000007', %s, %s, 'upright')",
                (seq, float(seq)),
            )
    with psycopg.connect(url) as conn:
        assert migrate_central(conn) == [4]
        counts = conn.execute(
            "SELECT COUNT(*), COUNT(speed_kmh), COUNT(heart_rate_bpm), COUNT(posture) FROM samples"
        ).fetchone()
        born = conn.execute("SELECT name, birth_year FROM members").fetchall()
    assert counts == (60, 0, 0, 60)
    assert born == [("Ada", None)]


def test_a_station_newer_than_the_fleet_server_says_to_run_fleet_init(
    pg_server: TestPostgres, tmp_path: Path
) -> None:
    """Stations updated before the server (schema 3, no belt or heart columns): the sync
    says what to do, and keeps every session here (nothing is set aside)."""
    name = schema3_server(pg_server)
    with Store(tmp_path / "station.sqlite3") as store:
        sid = store.start_session(None, "starter", 1.7e9, "a")
        store.finish_session(sid, "completed", 1.7e9 + 60, GOOD_SUMMARY)
        with (
            psycopg.connect(pg_server.url(db=name)) as conn,
            pytest.raises(FleetError, match=r"schema 3.*backstep fleet init"),
        ):
            sync_once(conn, store, "a")
        assert len(store.pending_sessions(10)) == 1
