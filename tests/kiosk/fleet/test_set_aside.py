"""One refused row never jams the outbox: set aside, named, cleared by an operator; relabelling."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import psycopg
from click.testing import CliRunner
from support.fleet import FleetDb, Station, station_config

from kiosk.cli import main
from kiosk.fleet.directory import import_central
from kiosk.fleet.health import fleet_health
from kiosk.fleet.setaside import SET_ASIDE
from kiosk.fleet.sync import FleetSync
from kiosk.store.database import Member, Store, database_path

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)


def write_config(path: Path, station: Station) -> Path:
    f = station.cfg.fleet
    path.write_text(
        f'[station]\nid = "{station.id}"\n'
        f'[storage]\ndata_dir = "{station.cfg.storage.data_dir}"\n'
        f'[fleet]\ndatabase = "{f.database}"\npassword_file = "{f.password_file}"\n'
        'sslmode = "disable"\n'
    )
    return path


def session_uuids(station: Station) -> list[str]:
    with sqlite3.connect(database_path(station.cfg.storage)) as c:
        return [r[0] for r in c.execute("SELECT uuid FROM sessions ORDER BY id")]


def synced_at(station: Station, uuid: str) -> float | None:
    with sqlite3.connect(database_path(station.cfg.storage)) as c:
        row = c.execute("SELECT synced_at FROM sessions WHERE uuid = ?", (uuid,)).fetchone()
    return row[0]


def claim_on_server(db: FleetDb, uuid: str, station_id: str) -> None:
    """The server already holds this session UUID in another station's name (as the owner)."""
    with psycopg.connect(db.admin_url(), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO sessions (uuid, station_id, program, started, status)"
            " VALUES (%s, %s, 'starter', now(), 'completed')",
            (uuid, station_id),
        )


def test_a_refused_session_is_set_aside_and_the_rest_uploads_and_pulls(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, tmp_path: Path
) -> None:
    a, b = two_stations
    notices: list[str] = []
    a.sync.on_notice = notices.append
    start = time.time() - 3600
    for i in range(3):
        a.walk(None, start + i * 120)
    refused = session_uuids(a)[1]
    claim_on_server(fleet_db, refused, "b")
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    b.sync.sync_now()
    b.walk("1001", start + 600)
    b.sync.sync_now()

    report = a.sync.sync_now()  # before: the whole batch failed on every pass

    assert report.uploaded.sessions == 2
    assert [(r.kind, r.ref) for r in report.set_aside] == [("session", refused)]
    assert "row-level security" in report.set_aside[0].reason
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE station_id = 'a'") == 2
    # b's session of Ana came down: the pull ran
    assert [s.station_id for s in a.store.list_sessions("1001", statuses=("completed",))] == ["b"]
    # kept here with its samples, out of the outbox, named on the staff screen and in status
    assert synced_at(a, refused) == SET_ASIDE
    assert a.store.count_rows("samples") >= 3 * 60
    assert a.store.outbox_counts().total == 0
    assert any(refused[:8] in n and "set aside" in n for n in notices)
    lines = "\n".join(a.sync.status().lines())
    assert "set aside" in lines and refused[:8] in lines and "row-level security" in lines
    config = write_config(tmp_path / "a.toml", a)
    status = CliRunner().invoke(main, ["fleet", "status", "--config", str(config)])
    assert status.exit_code == 0 and refused[:8] in status.output
    doctor = fleet_health(a.cfg)
    assert doctor.status == "warn" and "1 set aside" in doctor.detail
    # the next pass runs clean: nothing is retried on its own, no new notice
    notices.clear()
    assert a.sync.sync_now().set_aside == [] and notices == []
    # a kiosk started later tells staff again
    later = FleetSync(
        Store(database_path(a.cfg.storage)), a.cfg.fleet, "a", on_notice=notices.append
    )
    try:
        later.start()
    finally:
        later.close()
        later.store.close()
    assert notices[0] == "fleet: 1 row(s) set aside (fleet status)"


def test_an_operator_lists_retries_and_discards_set_aside_rows(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, tmp_path: Path
) -> None:
    a, _ = two_stations
    a.walk(None, time.time() - 600)
    uuid = session_uuids(a)[0]
    claim_on_server(fleet_db, uuid, "b")
    a.sync.sync_now()
    config = write_config(tmp_path / "a.toml", a)

    def fleet(*args: str) -> str:
        out = CliRunner().invoke(main, ["fleet", *args, "--config", str(config)])
        assert out.exit_code == 0, out.output
        return out.output

    assert uuid in fleet("set-aside", "list")
    assert "1 row(s) back in the outbox" in fleet("set-aside", "retry", uuid[:8])
    assert synced_at(a, uuid) is None
    assert a.sync.sync_now().set_aside  # still refused: set aside again
    # the cause is fixed on the server (the wrong row removed): a retry uploads it
    with psycopg.connect(fleet_db.admin_url(), autocommit=True) as conn:
        conn.execute("DELETE FROM sessions WHERE uuid = %s", (uuid,))
    fleet("set-aside", "retry", "--all")
    assert a.sync.sync_now().uploaded.sessions == 1
    assert "nothing set aside" in fleet("set-aside", "list")
    # discard: no longer reported, still kept here
    a.walk(None, time.time() - 300)
    second = session_uuids(a)[1]
    claim_on_server(fleet_db, second, "b")
    a.sync.sync_now()
    assert "1 row(s) discarded" in fleet("set-aside", "discard", second)
    assert "nothing set aside" in fleet("set-aside", "list")
    assert second in fleet("set-aside", "list", "--all")
    assert a.sync.refresh_status().set_aside == () and synced_at(a, second) == SET_ASIDE
    assert len(session_uuids(a)) == 2


def test_joining_a_fleet_relabels_the_stations_own_earlier_history(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    cfg = station_config(fleet_db, "a", tmp_path / "old")
    with Store(database_path(cfg.storage)) as alone:  # ran alone as "station-1"
        for i in range(3):
            sid = alone.start_session(None, "starter", 1.6e9 + i * 600, "station-1")
            alone.finish_session(sid, "completed", 1.6e9 + i * 600 + 60, {"backward_minutes": 1})
    station = Station(cfg)
    try:
        report = station.sync.sync_now()
        history = station.store.list_sessions(statuses=("completed",))
    finally:
        station.close()
    assert report.relabelled == 3 and report.set_aside == []
    assert report.uploaded.sessions == 3
    assert {s.station_id for s in history} == {"a"}
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE station_id = 'a'") == 3


def test_a_member_name_the_server_refuses_is_set_aside_not_jamming_the_pass(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    # an older station database could hold a long name (the server allows 80 characters)
    a.store.upsert_members([Member("77", "N" * 200, dt.date(2099, 1, 1)), ANA])
    report = a.sync.sync_now()
    assert [(r.kind, r.ref) for r in report.set_aside] == [("member", "77")]
    assert fleet_db.count("SELECT COUNT(*) FROM members") == 1
    assert a.sync.sync_now().set_aside == []  # not offered again until retried
