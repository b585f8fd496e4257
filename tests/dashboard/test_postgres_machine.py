"""Belt speed and heart rate on the session page over the fleet's PostgreSQL, with and without."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from starlette.testclient import TestClient
from support.dashboard_web import add_trainer, dashboard_config, log_in
from support.fleet import FleetDb, Station

from dashboard.machine import MACHINE_COLUMNS
from dashboard.postgres_data import session_key
from dashboard.server import build_app
from kiosk.fleet.directory import import_central
from kiosk.store.records import Member

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)
COLUMN_TYPES = {
    "speed_kmh": "real",
    "incline_pct": "real",
    "distance_m": "real",
    "stride_m": "real",
    "heart_rate_bpm": "integer",
}


@pytest.fixture
def walked(two_stations: tuple[Station, Station], fleet_db: FleetDb) -> tuple[FleetDb, int]:
    """Ana walked 90 s at station A, uploaded; the dashboard's id of that session."""
    a, _b = two_stations
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    a.sync.sync_now()
    a.walk("1001", time.time() - 3600, samples=90)
    a.sync.sync_now()
    with psycopg.connect(fleet_db.admin_url()) as conn:
        row = conn.execute("SELECT uuid FROM sessions WHERE member_id = '1001'").fetchone()
    assert row is not None
    return fleet_db, session_key(row[0])


@pytest.fixture
def board(walked: tuple[FleetDb, int], tmp_path: Path) -> Iterator[TestClient]:
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    add_trainer(data_dir)
    with TestClient(build_app(dashboard_config(walked[0], data_dir))) as client:
        assert log_in(client).status_code == 200
        yield client


def test_the_fleet_session_page_shows_speed_and_heart_rate(
    board: TestClient, walked: tuple[FleetDb, int]
) -> None:
    db, key = walked
    with psycopg.connect(db.admin_url(), autocommit=True) as conn:
        for name, kind in COLUMN_TYPES.items():  # as the fleet's migration adds them
            conn.execute(f"ALTER TABLE samples ADD COLUMN IF NOT EXISTS {name} {kind}".encode())
        conn.execute(
            "UPDATE samples SET speed_kmh = 4.0, distance_m = 500 + t, stride_m = 0.6,"
            " heart_rate_bpm = 100 + seq / 2"
        )
    page = board.get(f"/sessions/{key}")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "Average belt speed 2.5 mph" in text, text
    assert "Heart rate 122 bpm average · 144 peak" in text, text
    assert re.search(r'"id":\s*"speed"', page.text) and re.search(r'"id":\s*"heart"', page.text)
    rows = list(csv.DictReader(io.StringIO(board.get(f"/sessions/{key}/samples.csv").text)))
    assert len(rows) == 90 and float(rows[0]["speed_kmh"]) == 4.0


def test_a_fleet_database_without_the_columns_shows_the_page_as_before(
    board: TestClient, walked: tuple[FleetDb, int]
) -> None:
    db, key = walked
    with psycopg.connect(db.admin_url(), autocommit=True) as conn:
        for name in MACHINE_COLUMNS:  # a server from before the treadmill link
            conn.execute(f"ALTER TABLE samples DROP COLUMN IF EXISTS {name}".encode())
    page = board.get(f"/sessions/{key}")
    assert page.status_code == 200
    assert not re.search(r'"id":\s*"speed"', page.text) and "belt speed" not in page.text.lower()
    assert re.search(r'"id":\s*"lean"', page.text)  # the rest of the page as before
    rows = list(csv.DictReader(io.StringIO(board.get(f"/sessions/{key}/samples.csv").text)))
    assert len(rows) == 90 and all(row[c] == "" for row in rows for c in MACHINE_COLUMNS)
