"""The dashboard over the fleet's central PostgreSQL: two stations upload, trainers read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient
from support.dashboard_web import add_trainer, dashboard_config, log_in
from support.fleet import FleetDb, Station

from dashboard.postgres_data import PostgresData, session_key
from dashboard.server import build_app
from kiosk.fleet.directory import import_central
from kiosk.store.errors import StorageError
from kiosk.store.records import Member

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)
BEN = Member("1002", "Ben", dt.date(2099, 1, 1), 2)


@pytest.fixture
def central(two_stations: tuple[Station, Station], fleet_db: FleetDb) -> FleetDb:
    """Ana walks at A and at B, Ben at B, a guest at A; both stations upload for real."""
    a, b = two_stations
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA, BEN])
    a.sync.sync_now()
    b.sync.sync_now()
    now = time.time()
    a.store.save_baseline("1001", {"trunk_lean_deg": 4.0, "frames": 90}, now - 3600)
    a.walk("1001", now - 3 * 86400, summary={"backward_minutes": 4.0, "upright_share": 0.9})
    unsafe = {"backward_minutes": 6.5, "upright_share": 0.95, "safety": {"stop": 1}}
    b.walk("1001", now - 86400, samples=90, summary=unsafe)
    b.walk("1002", now - 7200, summary={"backward_minutes": 3.0, "upright_share": 0.7})
    a.walk(None, now - 600)
    a.sync.sync_now()
    b.sync.sync_now()
    assert fleet_db.count("SELECT count(*) FROM sessions") == 4
    return fleet_db


@pytest.fixture
def board(central: FleetDb, tmp_path: Path) -> Iterator[TestClient]:
    """A logged-in trainer on a dashboard built from a config with ``[fleet] database``."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    add_trainer(data_dir)
    with TestClient(build_app(dashboard_config(central, data_dir))) as client:
        assert log_in(client).status_code == 200
        yield client


def central_sessions(db: FleetDb, member_id: str) -> list[tuple[int, str, int]]:
    """(dashboard id, station, samples) of a member's sessions, oldest first, as the owner."""
    with psycopg.connect(db.admin_url()) as conn:
        rows = conn.execute(
            "SELECT s.uuid, s.station_id, (SELECT count(*) FROM samples WHERE session_uuid ="
            " s.uuid) FROM sessions s WHERE member_id = %s ORDER BY started",
            (member_id,),
        ).fetchall()
    return [(session_key(r[0]), r[1], int(r[2])) for r in rows]


def data_of(client: TestClient) -> Any:
    return client.app.state.board.data  # type: ignore[attr-defined]


def test_the_fleet_setting_picks_postgresql_and_the_member_list_shows_everyone(
    board: TestClient,
) -> None:
    assert isinstance(data_of(board), PostgresData)
    page = board.get("/members")
    assert page.status_code == 200
    assert "Ana" in page.text and "Ben" in page.text


def test_a_member_page_shows_the_sessions_of_both_stations(
    board: TestClient, central: FleetDb
) -> None:
    sessions = central_sessions(central, "1001")
    assert [s[1] for s in sessions] == ["a", "b"]
    page = board.get("/members/1001")
    assert page.status_code == 200
    for key, _, _ in sessions:
        assert f'href="/sessions/{key}"' in page.text
    assert "1 safety alert" in page.text  # station B's session
    assert board.get("/members/nobody").status_code == 404


def test_a_session_page_reads_the_samples_uploaded_by_the_other_station(
    board: TestClient, central: FleetDb
) -> None:
    key, station, n = central_sessions(central, "1001")[1]
    assert (station, n) == ("b", 90)
    page = board.get(f"/sessions/{key}")
    assert page.status_code == 200
    assert f"Session {key}" in page.text and "· b" in page.text
    assert 'id="chart-data"' in page.text  # samples found: the charts are drawn
    assert len(data_of(board).samples(key)) == 90
    assert [e.kind for e in data_of(board).events(key)] == ["cue"] * 5
    assert board.get("/sessions/1").status_code == 404  # no UUID has that number
    assert board.get(f"/sessions/{1 << 130}").status_code == 404


def test_the_csvs_hold_both_stations_rows(board: TestClient, central: FleetDb) -> None:
    ana = central_sessions(central, "1001")
    rows = list(csv.DictReader(io.StringIO(board.get("/members/1001/sessions.csv").text)))
    assert [(int(r["session_id"]), r["station_id"]) for r in rows] == [(k, s) for k, s, _ in ana]
    assert [r["member_name"] for r in rows] == ["Ana", "Ana"]
    assert [r["backward_min"] for r in rows] == ["4.0", "6.5"]
    everyone = list(csv.DictReader(io.StringIO(board.get("/sessions.csv").text)))
    assert sorted(r["station_id"] for r in everyone) == ["a", "a", "b", "b"]
    assert {r["member_id"] for r in everyone} == {"1001", "1002", ""}  # the guest too
    key = ana[1][0]
    samples = list(csv.reader(io.StringIO(board.get(f"/sessions/{key}/samples.csv").text)))
    assert samples[0][0] == "session_id" and len(samples) == 1 + 90
    assert {int(r[0]) for r in samples[1:]} == {key}
    assert [float(r[1]) for r in samples[1:4]] == [0.0, 1.0, 2.0]


def test_the_member_list_costs_the_same_queries_for_more_members(
    board: TestClient, central: FleetDb
) -> None:
    data = data_of(board)
    calls: list[str] = []
    real = data._rows

    def counting(sql: str, args: tuple[Any, ...] = ()) -> Any:
        calls.append(sql)
        return real(sql, args)

    data._rows = counting
    board.get("/members")
    two = len(calls)
    with psycopg.connect(central.manager_url(), autocommit=True) as conn:
        import_central(
            conn, [Member(str(2000 + i), f"M{i}", dt.date(2099, 1, 1)) for i in range(20)]
        )
    calls.clear()
    page = board.get("/members")
    assert "M19" in page.text
    assert len(calls) == two <= 2


def test_the_connection_is_read_only_with_a_short_statement_timeout(board: TestClient) -> None:
    data = data_of(board)
    assert data._rows("SHOW statement_timeout") == [("5s",)]
    with pytest.raises(StorageError, match="read-only"):
        data._rows("UPDATE members SET name = 'x' WHERE id = '1001'")
    # the role itself may not write either, even outside the read-only default
    with pytest.raises(StorageError, match="permission denied"):
        data._read(
            lambda c: (
                c.execute("SET TRANSACTION READ WRITE"),
                c.execute("DELETE FROM samples"),
            )
        )
    assert data.member("1001") == ANA  # still usable after the refusals
