"""Helpers for dashboard HTTP and browser tests: config, trainer account, form login."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from dashboard.accounts import Accounts
from kiosk.config.schema import BackstepConfig

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
