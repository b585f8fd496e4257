"""Fleet test helpers: a fresh central database per test, and stations built from data folders."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from kiosk.config.schema import BackstepConfig
from kiosk.fleet.central import migrate_central
from kiosk.fleet.lookup import FleetLookup
from kiosk.fleet.roles import MANAGER_GROUP, apply_grants, ensure_station_role
from kiosk.fleet.sync import FleetSync
from kiosk.members.checkin import CheckinService
from kiosk.store.database import EventRecord, Member, Sample, Store, database_path
from support.postgres import TestPostgres

_numbers = itertools.count(1)

#: A good session's summary as the session code writes it (progression reads these keys).
GOOD_SUMMARY = {"backward_minutes": 4.0, "upright_share": 0.93, "incline_percent": 0.0}


@dataclass
class FleetDb:
    """One central database on the test server, migrated, with roles for two stations."""

    pg: TestPostgres
    name: str
    passwords: dict[str, str]
    manager_password: str

    def admin_url(self) -> str:
        """The owner's URL (password inline: tests only)."""
        return self.pg.url(db=self.name)

    def manager_url(self) -> str:
        """A backstep_manager login (what staff use for members import/forget)."""
        return self.pg.url(f"{self.name}_mgr", self.manager_password, self.name)

    def station_url(self, station_id: str) -> str:
        """The station's URL WITHOUT password (as in the staff file)."""
        return f"postgresql://backstep_{station_id}@127.0.0.1:{self.pg.port}/{self.name}"

    def count(self, sql: str, *args: Any) -> int:
        """One integer from the server (as the owner)."""
        with psycopg.connect(self.admin_url()) as conn:
            row = conn.execute(sql.encode(), args or None).fetchone()
        return int(row[0]) if row else 0


def create_fleet_db(pg: TestPostgres, stations: tuple[str, ...] = ("a", "b")) -> FleetDb:
    """A new database (schema, grants, station roles with fresh passwords, a manager)."""
    name = f"fleet{next(_numbers)}_{int(time.time() * 1000) % 100000}"
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    passwords: dict[str, str] = {}
    with psycopg.connect(pg.url(db=name), autocommit=True) as conn:
        migrate_central(conn)
        apply_grants(conn)
        for sid in stations:
            login = ensure_station_role(conn, sid, rotate=True)
            assert login.password is not None
            passwords[sid] = login.password
        manager_password = "mgr-pw"
        role = f"CREATE ROLE {name}_mgr LOGIN PASSWORD '{manager_password}'"
        conn.execute(f"{role} IN ROLE {MANAGER_GROUP}".encode())
    return FleetDb(pg, name, passwords, manager_password)


def station_config(db: FleetDb, station_id: str, data_dir: Path, **fleet: Any) -> BackstepConfig:
    """A station's config: its own data folder, the fleet URL, the password in a file."""
    pw_file = data_dir.parent / f"{data_dir.name}.password"
    data_dir.mkdir(parents=True, exist_ok=True)
    pw_file.write_text(db.passwords[station_id] + "\n")
    pw_file.chmod(0o600)
    settings = {
        "database": db.station_url(station_id),
        "password_file": str(pw_file),
        "sslmode": "disable",
        "sync_interval_s": 1.0,
        "connect_timeout_s": 2,
    }
    settings.update(fleet)
    return BackstepConfig.model_validate(
        {
            "station": {"id": station_id},
            "storage": {"data_dir": str(data_dir)},
            "fleet": settings,
        }
    )


@dataclass
class Station:
    """One station's store layer and fleet parts (what the kiosk builds in ``open_parts``)."""

    cfg: BackstepConfig
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        path = database_path(self.cfg.storage)
        self.store = Store(path)
        self.sync = FleetSync(Store(path), self.cfg.fleet, self.cfg.station.id)
        self.lookup = FleetLookup(Store(path), self.cfg.fleet)
        self.checkin = CheckinService(
            self.store,
            self.cfg.checkin,
            self.cfg.station.id,
            fleet=self.lookup,
            on_notice=self.notices.append,
        )

    @property
    def id(self) -> str:
        return self.cfg.station.id

    def walk(
        self,
        member_id: str | None,
        started: float,
        samples: int = 60,
        summary: dict[str, Any] | None = None,
    ) -> int:
        """Record one finished session (samples every second, a cue every 20 s)."""
        sid = self.store.start_session(member_id, "starter", started, self.id)
        self.store.append_session_data(
            sid,
            [Sample(float(t), 3.0, 1.0, 0.8, 50.0, "upright") for t in range(samples)],
            [EventRecord(float(t), "cue", {"text": "Stand tall"}) for t in range(0, samples, 20)],
        )
        self.store.finish_session(sid, "completed", started + samples, summary or GOOD_SUMMARY)
        return sid

    def close(self) -> None:
        self.lookup.close()
        self.sync.close()
        self.sync.store.close()
        self.lookup.store.close()
        self.store.close()


def add_members(station: Station, *members: Member) -> None:
    """Members known to this station only (as after a local import)."""
    station.store.upsert_members(members)


def wait_until(predicate: Any, timeout_s: float, every_s: float = 0.1) -> float:
    """Poll until ``predicate()`` is true; the seconds it took (AssertionError on timeout)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"not true within {timeout_s} s")
        time.sleep(every_s)
    return time.monotonic() - start
