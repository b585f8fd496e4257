"""Helpers for dashboard HTTP and browser tests: config, trainer account, form login."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from starlette.testclient import TestClient

from dashboard.accounts import Accounts
from kiosk.config.schema import BackstepConfig
from kiosk.fleet.roles import DASHBOARD_GROUP
from support.fleet import FleetDb

TRAINER, PASSWORD = "coach", "correct horse battery"


def station_config(data_dir: Path) -> BackstepConfig:
    """A config whose storage is ``data_dir``."""
    cfg = BackstepConfig()
    cfg.storage.data_dir = data_dir
    return cfg


def add_trainer(data_dir: Path, name: str = TRAINER, password: str = PASSWORD) -> None:
    """Create a trainer account in ``data_dir``."""
    accounts = Accounts(data_dir / "dashboard.sqlite3")
    accounts.add(name, password)
    accounts.close()


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def log_in(client: TestClient, name: str = TRAINER, password: str = PASSWORD) -> Any:
    """Log in through the form, as a browser does; returns the final response."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf": token})


DASH_PASSWORD = "dash-pw-for-tests"


def dashboard_config(db: FleetDb, data_dir: Path) -> BackstepConfig:
    """The gym server's config: a dashboard login of the backstep_dashboard group."""
    role = f"{db.name}_dash"
    with psycopg.connect(db.admin_url(), autocommit=True) as conn:
        sql = f"CREATE ROLE {role} LOGIN PASSWORD '{DASH_PASSWORD}' IN ROLE {DASHBOARD_GROUP}"
        conn.execute(sql.encode())
    pw_file = data_dir.parent / "dashboard.password"
    pw_file.write_text(DASH_PASSWORD + "\n")
    pw_file.chmod(0o600)
    return BackstepConfig.model_validate(
        {
            "storage": {"data_dir": str(data_dir)},
            "fleet": {
                "database": f"postgresql://{role}@127.0.0.1:{db.pg.port}/{db.name}",
                "password_file": str(pw_file),
                "sslmode": "disable",
            },
        }
    )
