"""The server's clock decides baselines, reports say what happened; doctor on clock and TLS."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from support.fleet import FleetDb, Station

from kiosk.cli import main
from kiosk.config.schema import FleetConfig
from kiosk.fleet.central import FleetError, connect, required_sslmode
from kiosk.fleet.directory import import_central
from kiosk.fleet.health import fleet_health
from kiosk.store.database import Member

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 1)
YEAR = 365 * 86400.0


@pytest.fixture
def ana_everywhere(two_stations: tuple[Station, Station], fleet_db: FleetDb) -> None:
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    for s in two_stations:
        s.sync.sync_now()


def server_baseline(db: FleetDb) -> tuple[str, float]:
    with psycopg.connect(db.admin_url()) as conn:
        row = conn.execute(
            "SELECT station_id, extract(epoch FROM captured) FROM baselines WHERE member_id='1001'"
        ).fetchone()
    assert row is not None
    return str(row[0]), float(row[1])


def test_a_station_clock_a_year_ahead_does_not_win_the_baseline(
    two_stations: tuple[Station, Station], fleet_db: FleetDb, ana_everywhere: None
) -> None:
    a, b = two_stations
    a.store.save_baseline("1001", {"by": "a"}, time.time() + YEAR)  # a's clock is a year ahead
    first = a.sync.sync_now()
    b.store.save_baseline("1001", {"by": "b"}, time.time())  # a newer capture, right clock
    second = b.sync.sync_now()

    assert first.uploaded.baselines == 0
    assert [(r.kind, r.ref) for r in first.set_aside] == [("baseline", "1001")]
    assert "future" in first.set_aside[0].reason
    assert second.uploaded.baselines == 1
    station, captured = server_baseline(fleet_db)
    assert station == "b" and captured <= time.time()
    a.sync.sync_now()
    # b's capture is what other stations get (a keeps its own row, set aside, for the operator)
    assert b.store.load_baseline("1001").data == {"by": "b"}  # type: ignore[union-attr]
    # a's clock fixed, Ana stands again at a: that capture goes up and the set-aside note goes
    a.store.save_baseline("1001", {"by": "a again"}, time.time())
    again = a.sync.sync_now()
    assert again.uploaded.baselines == 1 and again.set_aside == []
    assert a.sync.status().set_aside == ()
    assert server_baseline(fleet_db)[0] == "a"


def test_the_sync_report_says_when_the_server_kept_a_newer_baseline(
    two_stations: tuple[Station, Station],
    fleet_db: FleetDb,
    ana_everywhere: None,
    tmp_path: Path,
) -> None:
    a, b = two_stations
    a.store.save_baseline("1001", {"by": "a"}, time.time() - 10)
    assert a.sync.sync_now().uploaded.baselines == 1
    b.store.save_baseline("1001", {"by": "b"}, time.time() - 100)  # older than a's
    f = b.cfg.fleet
    config = tmp_path / "b.toml"
    config.write_text(
        f'[station]\nid = "b"\n[storage]\ndata_dir = "{b.cfg.storage.data_dir}"\n'
        f'[fleet]\ndatabase = "{f.database}"\npassword_file = "{f.password_file}"\n'
        'sslmode = "disable"\n'
    )
    out = CliRunner().invoke(main, ["fleet", "sync", "--config", str(config)])
    assert out.exit_code == 0, out.output
    assert "0 baselines (1 not applied: the server has a newer one)" in out.output
    assert server_baseline(fleet_db)[0] == "a"


def test_doctor_warns_when_the_station_clock_is_more_than_a_minute_off(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    a.sync.sync_now()
    right = fleet_health(a.cfg)
    ahead = fleet_health(a.cfg, local_clock=lambda: time.time() + 120)
    behind = fleet_health(a.cfg, local_clock=lambda: time.time() - 3600)
    assert right.status == "ok" and "clock" not in right.detail
    assert ahead.status == "warn" and "120 s ahead of the server's" in ahead.detail
    assert behind.status == "warn" and "3600 s behind the server's" in behind.detail
    assert "ntp" in ahead.fix


def test_doctor_says_whether_the_connection_is_encrypted(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    a.sync.sync_now()
    # the test server has no certificate: on the same host that is allowed, and said
    assert "NOT encrypted" in fleet_health(a.cfg).detail


def test_tls_is_required_for_a_server_on_another_machine() -> None:
    remote = "postgresql://backstep_a@192.0.2.10/backstep"
    assert required_sslmode(remote, "prefer") == "require"
    assert required_sslmode(remote, "verify-full") == "verify-full"
    assert required_sslmode("postgresql://backstep_a@127.0.0.1/backstep", "disable") == "disable"
    assert required_sslmode("postgresql://backstep_a@localhost/backstep", "prefer") == "prefer"
    for mode in ("disable", "allow"):
        started = time.monotonic()
        with pytest.raises(FleetError, match="unencrypted") as refused:
            connect(FleetConfig(database=remote, sslmode=mode))  # type: ignore[arg-type]
        assert time.monotonic() - started < 1  # refused before any packet leaves
        assert "verify-full" in str(refused.value)
    with pytest.raises(FleetError, match="unencrypted"):
        required_sslmode(remote + "?sslmode=prefer", "verify-full")
