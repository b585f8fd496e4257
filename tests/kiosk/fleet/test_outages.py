"""Outages and crashes: the outbox keeps every row, and drains with no loss and no duplicate."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from support.fleet import FleetDb, Station, station_config, wait_until

from kiosk.fleet.directory import import_central
from kiosk.store.database import EventRecord, Member, Sample, Store, database_path

ANA = Member("1001", "Ana", dt.date(2099, 1, 1), 2)


def local_totals(store: Store) -> tuple[set[str], int, int]:
    """(session UUIDs, samples, events) of the finished sessions in a station database."""
    sessions = store.list_sessions(statuses=("completed", "stopped", "interrupted"))
    uuids = {r[0] for r in store._read(lambda c: c.execute("SELECT uuid FROM sessions").fetchall())}
    samples = sum(len(store.samples(s.id)) for s in sessions)
    events = sum(len(store.events(s.id)) for s in sessions)
    return uuids, samples, events


def server_totals(db: FleetDb, station_id: str) -> tuple[set[str], int, int]:
    with psycopg.connect(db.admin_url()) as conn:
        uuids = {
            r[0]
            for r in conn.execute(
                "SELECT uuid::text FROM sessions WHERE station_id = %s", (station_id,)
            )
        }
        samples = conn.execute(
            "SELECT COUNT(*) FROM samples JOIN sessions ON uuid = session_uuid"
            " WHERE station_id = %s",
            (station_id,),
        ).fetchone()
        events = conn.execute(
            "SELECT COUNT(*) FROM events JOIN sessions ON uuid = session_uuid"
            " WHERE station_id = %s",
            (station_id,),
        ).fetchone()
    assert samples is not None and events is not None
    return uuids, int(samples[0]), int(events[0])


def test_server_down_mid_session_records_locally_and_drains_after_with_nothing_lost(
    two_stations: tuple[Station, Station], fleet_db: FleetDb
) -> None:
    a, _ = two_stations
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    a.sync.start()
    wait_until(lambda: a.sync.passes >= 1, 10)
    assert a.checkin.check_in("1001", "qr").ok

    started = time.time() - 120
    sid = a.store.start_session("1001", "starter", started, a.id)
    a.store.append_session_data(sid, [Sample(float(t), 2.0) for t in range(30)], [])
    fleet_db.pg.stop()  # the server goes away in the middle of the session
    a.store.append_session_data(
        sid, [Sample(float(t), 2.0) for t in range(30, 90)], [EventRecord(40.0, "cue")]
    )
    a.store.finish_session(sid, "completed", started + 90, {"backward_minutes": 1.5})
    for i in range(5):
        a.walk("1001" if i % 2 else None, time.time() - 100 + i, samples=45)
    # check-in during the outage: accepted from the local copy; staff told, member not
    assert a.checkin.check_in("1001", "card").ok
    assert a.notices and "copy" in a.notices[-1]
    wait_until(lambda: a.sync.reachable is False, 15)
    assert a.store.outbox_counts().sessions == 6

    fleet_db.pg.start()
    drained_in = wait_until(lambda: a.store.outbox_counts().total == 0, 60)

    local = local_totals(a.store)
    server = server_totals(fleet_db, "a")
    assert local[0] == server[0] and len(server[0]) == 6  # zero lost, zero duplicated
    assert local[1:] == server[1:] == (90 + 5 * 45, 1 + 5 * 3)
    assert fleet_db.count("SELECT COUNT(*) FROM checkins WHERE station_id = 'a'") == 2
    assert drained_in < 60


def _prepare_big_outbox(store: Store, station_id: str, sessions: int, samples: int) -> None:
    # one transaction for speed: this is test set-up, not the path under test
    def run(c: object) -> None:
        import sqlite3

        assert isinstance(c, sqlite3.Connection)
        for i in range(sessions):
            cur = c.execute(
                "INSERT INTO sessions (member_id, program, station_id, started, ended, status,"
                " summary) VALUES (NULL, 'starter', ?, ?, ?, 'completed', '{}')",
                (station_id, 1.7e9 + i * 1000, 1.7e9 + i * 1000 + samples),
            )
            c.executemany(
                "INSERT INTO samples (session_id, t, trunk_lean, core_score, posture)"
                " VALUES (?, ?, 3.0, 0.8, 'upright')",
                [(cur.lastrowid, float(t)) for t in range(samples)],
            )
            c.execute(
                "INSERT INTO events (session_id, t, kind) VALUES (?, 5.0, 'cue')", (cur.lastrowid,)
            )

    store._run_write(run)


def _config_file(path: Path, station: Station) -> Path:
    f = station.cfg.fleet
    path.write_text(
        f'[station]\nid = "{station.id}"\n'
        f'[storage]\ndata_dir = "{station.cfg.storage.data_dir}"\n'
        f'[fleet]\ndatabase = "{f.database}"\npassword_file = "{f.password_file}"\n'
        'sslmode = "disable"\n'
    )
    return path


@pytest.mark.slow
def test_station_killed_while_uploading_restarts_with_no_duplicate_and_no_gap(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    station = Station(station_config(fleet_db, "a", tmp_path / "station-a"))
    total = 400
    _prepare_big_outbox(station.store, "a", total, 300)
    config = _config_file(tmp_path / "a.toml", station)
    cmd = [sys.executable, "-c", "from kiosk.cli import main; main()", "fleet", "sync",
           "--config", str(config)]  # fmt: skip
    env = dict(os.environ)

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(
            lambda: (
                fleet_db.count("SELECT COUNT(*) FROM sessions") >= 25 or proc.poll() is not None
            ),
            60,
            0.02,
        )
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    at_kill = fleet_db.count("SELECT COUNT(*) FROM sessions")
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert 0 < at_kill < total, "the kill must land in the middle of the drain"
    assert station.store.outbox_counts().sessions > 0

    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    assert "0 still waiting" in done.stdout
    local = local_totals(station.store)
    server = server_totals(fleet_db, "a")
    assert len(server[0]) == total and local[0] == server[0]
    assert local[1:] == server[1:] == (total * 300, total)
    # and per session: every session has exactly its own samples (no gap inside one)
    assert (
        fleet_db.count(
            "SELECT COUNT(*) FROM (SELECT session_uuid FROM samples GROUP BY session_uuid"
            " HAVING COUNT(*) = 300 AND MAX(seq) = 299) s"
        )
        == total
    )
    station.close()
    assert database_path(station.cfg.storage).exists()


def test_a_finished_session_uploads_soon_without_waiting_for_the_sync_interval(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    station = Station(station_config(fleet_db, "a", tmp_path / "a", sync_interval_s=600))
    try:
        station.sync.start()
        wait_until(lambda: station.sync.passes >= 1, 10)
        station.walk(None, time.time() - 60)
        took = wait_until(lambda: station.store.outbox_counts().total == 0, 20)
    finally:
        station.close()
    assert fleet_db.count("SELECT COUNT(*) FROM sessions") == 1
    assert took < 20  # far below the 600 s interval


def test_the_kiosk_parts_start_a_fleet_and_check_in_through_it(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    from kiosk.app.parts import open_parts

    cfg = station_config(fleet_db, "a", tmp_path / "a")
    with psycopg.connect(fleet_db.manager_url(), autocommit=True) as conn:
        import_central(conn, [ANA])
    errors: list[str] = []
    parts = open_parts(cfg, lambda _e: None, None, None, errors.append)
    try:
        assert parts.fleet is not None and parts.checkin.fleet is parts.fleet.lookup
        result = parts.checkin.check_in("1001", "qr")  # not yet synced: found on the server
        assert result.ok and result.member == ANA
        # status() is the sync thread's snapshot: "drained" means a pass reached the server
        wait_until(lambda: bool(parts.fleet.status().reachable), 20)
        wait_until(lambda: parts.fleet.status().waiting.total == 0, 20)
        assert parts.fleet.status().reachable
    finally:
        parts.close()
    assert not [e for e in errors if "fleet" in e]


def test_check_in_waits_at_most_the_deadline_for_a_server_that_never_answers(
    fleet_db: FleetDb, tmp_path: Path
) -> None:
    import socket

    from kiosk.config.schema import BackstepConfig

    # a "server" that accepts the TCP connection and then says nothing (a hung host)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    cfg = station_config(fleet_db, "a", tmp_path / "a")
    data = cfg.model_dump(mode="json")
    data["fleet"]["database"] = f"postgresql://backstep_a@127.0.0.1:{port}/{fleet_db.name}"
    station = Station(BackstepConfig.model_validate(data))
    try:
        station.store.upsert_members([ANA])  # the station's cached copy
        start = time.monotonic()
        result = station.checkin.check_in("1001", "qr")
        took = time.monotonic() - start
    finally:
        station.close()
        silent.close()
    assert result.ok and result.member == ANA
    assert station.notices and "did not answer within" in station.notices[0]
    # the 1 s deadline fired, not libpq's connect timeout (>= 2 s; margin for a loaded CI)
    assert took < 2.0
