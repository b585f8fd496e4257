"""`backstep fleet init/status/sync` and `members import/forget` against a real server; roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from support.fleet import FleetDb, Station, station_config
from support.postgres import TestPostgres

from kiosk.cli import main
from kiosk.config.schema import FleetConfig
from kiosk.fleet.central import LATEST_VERSION, central_version


def write_config(path: Path, station: Station) -> Path:
    f = station.cfg.fleet
    path.write_text(
        f'[station]\nid = "{station.id}"\n'
        f'[storage]\ndata_dir = "{station.cfg.storage.data_dir}"\n'
        f'[fleet]\ndatabase = "{f.database}"\npassword_file = "{f.password_file}"\n'
        'sslmode = "disable"\n'
    )
    return path


def test_a_password_in_the_staff_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="must not contain a password"):
        FleetConfig(database="postgresql://station_a:secret@server/backstep")
    with pytest.raises(ValidationError, match="postgresql://"):
        FleetConfig(database="mysql://server/db")
    assert not FleetConfig().enabled


def test_fleet_init_creates_schema_and_a_least_privilege_station_role(
    pg_server: TestPostgres, tmp_path: Path
) -> None:
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE fleet_init")
    admin = pg_server.url(db="fleet_init")
    runner = CliRunner()

    result = runner.invoke(
        main,
        ["fleet", "init", "--admin-url", admin, "--station", "front-1",
         "--password-dir", str(tmp_path / "pw")],
    )  # fmt: skip
    again = runner.invoke(main, ["fleet", "init", "--admin-url", admin, "--station", "front-1"])

    assert result.exit_code == 0, result.output
    assert "migrated to [1, 2, 3, 4]" in result.output and "backstep_front_1" in result.output
    assert "up to date" in again.output and "password unchanged" in again.output
    pw_file = tmp_path / "pw" / "front-1.password"
    assert pw_file.stat().st_mode & 0o777 == 0o600
    with psycopg.connect(admin) as conn:
        assert central_version(conn) == LATEST_VERSION
    station = pg_server.url("backstep_front_1", pw_file.read_text().strip(), "fleet_init")
    with psycopg.connect(station, autocommit=True) as conn:
        conn.execute("INSERT INTO members (id, name, expires) VALUES ('7', 'X', '2099-01-01')")
        for forbidden in (
            "DELETE FROM sessions",
            "DELETE FROM members",
            "UPDATE members SET name = 'Y'",
            "SELECT * FROM checkins",
            "DROP TABLE samples",
            "CREATE TABLE mine (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forbidden.encode())


def test_members_import_and_forget_go_to_the_server_and_status_reports_the_outbox(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, tmp_path: Path
) -> None:
    a, b = two_stations
    config = write_config(tmp_path / "a.toml", a)
    csv = tmp_path / "members.csv"
    csv.write_text("id,name,expires,level\n1001,Ana,2099-01-01,1\n1002,Ben,2099-01-01,\n")
    runner = CliRunner()

    denied = runner.invoke(main, ["members", "import", str(csv), "--config", str(config)])
    imported = runner.invoke(
        main,
        ["members", "import", str(csv), "--config", str(config),
         "--admin-url", fleet_db.manager_url()],
    )  # fmt: skip

    assert denied.exit_code != 0 and "backstep_manager" in denied.output
    assert imported.exit_code == 0, imported.output
    assert "server: 2 added" in imported.output
    b.sync.sync_now()
    assert [m.id for m in b.store.list_members()] == ["1001", "1002"]
    b.walk("1002", 1.7e9)
    status = runner.invoke(main, ["fleet", "status", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "server: reachable" in status.output and "last successful sync: never" in status.output

    forgot = runner.invoke(
        main,
        ["members", "forget", "1002", "--yes", "--config", str(config),
         "--admin-url", fleet_db.manager_url()],
    )  # fmt: skip

    assert forgot.exit_code == 0, forgot.output
    assert fleet_db.count("SELECT COUNT(*) FROM members WHERE id = '1002'") == 0
    assert b.sync.sync_now().forgotten == ["1002"]
    assert b.store.get_member("1002") is None and b.store.list_sessions("1002") == []
    synced = runner.invoke(main, ["fleet", "sync", "--config", str(config)])
    assert synced.exit_code == 0 and "0 still waiting" in synced.output
    status = runner.invoke(main, ["fleet", "status", "--config", str(config)])
    assert "waiting to upload: 0" in status.output and "never" not in status.output


def test_status_says_unreachable_when_the_server_is_down(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, tmp_path: Path
) -> None:
    a, _ = two_stations
    config = write_config(tmp_path / "a.toml", a)
    a.walk(None, 1.7e9)
    fleet_db.pg.stop()
    try:
        status = CliRunner().invoke(main, ["fleet", "status", "--config", str(config)])
    finally:
        fleet_db.pg.start()
    assert status.exit_code == 1
    assert "NOT reachable" in status.output and "waiting to upload: 1 (1 sessions" in status.output


def test_a_station_that_ran_alone_brings_its_members_and_history_when_it_joins(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    from kiosk.store.database import Member, Store, database_path

    cfg = station_config(fleet_db, "a", tmp_path / "old")
    with Store(database_path(cfg.storage)) as alone:  # before the fleet existed
        alone.upsert_members([Member("42", "Old Timer", dt.date(2099, 1, 1), 3)])
        sid = alone.start_session("42", "starter", 1.6e9, "a")
        alone.finish_session(sid, "completed", 1.6e9 + 60, {"backward_minutes": 1})
    station = Station(cfg)
    try:
        report = station.sync.sync_now()
    finally:
        station.close()
    assert report.members_added_to_server == 1 and report.uploaded.sessions == 1
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE member_id = '42'") == 1


def test_doctor_reports_the_fleet_and_only_warns_when_the_server_is_away(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    from kiosk.doctor.checks import check_fleet

    a, _ = two_stations
    a.walk(None, 1.7e9)
    up = check_fleet(a.cfg)
    fleet_db.pg.stop()
    try:
        down = check_fleet(a.cfg)
    finally:
        fleet_db.pg.start()
    assert up.status == "warn" and "never synced, 1 row(s) waiting" in up.detail
    assert down.status == "warn" and "NOT reachable" in down.detail and not down.is_blocking
    a.sync.sync_now()
    assert check_fleet(a.cfg).status == "ok"


def test_a_station_cannot_write_sessions_or_check_ins_in_another_stations_name(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    a.walk(None, 1.7e9)
    a.sync.sync_now()
    b_url = fleet_db.pg.url("backstep_b", fleet_db.passwords["b"], fleet_db.name)
    with psycopg.connect(b_url, autocommit=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone() == (1,)  # may read
        changed = conn.execute("UPDATE sessions SET status = 'stopped'").rowcount
        assert changed == 0  # a's row is invisible to b's UPDATE
        for forged in (
            "INSERT INTO sessions (uuid, station_id, program, started, status) VALUES"
            " (gen_random_uuid(), 'a', 'x', now(), 'completed')",
            "INSERT INTO checkins (uuid, t, station_id, method, ok) VALUES"
            " (gen_random_uuid(), now(), 'a', 'qr', true)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forged.encode())
    assert fleet_db.count("SELECT COUNT(*) FROM sessions WHERE status = 'completed'") == 1


def test_a_station_that_ran_alone_brings_its_members_birth_years_when_it_joins(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    """The birth year imported at a lone station gives zones at every station of the fleet."""
    from kiosk.store.database import Member, Store, database_path

    cfg = station_config(fleet_db, "a", tmp_path / "old")
    with Store(database_path(cfg.storage)) as alone:  # before the fleet existed
        alone.upsert_members([Member("43", "Born Then", dt.date(2099, 1, 1), 3, 1970)])
    station = Station(cfg)
    try:
        report = station.sync.sync_now()
    finally:
        station.close()
    assert report.members_added_to_server == 1
    assert fleet_db.count("SELECT birth_year FROM members WHERE id = '43'") == 1970
