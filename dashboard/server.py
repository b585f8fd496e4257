"""Builds the dashboard from the staff config and serves it with uvicorn."""

from __future__ import annotations

import ipaddress
import logging

from starlette.applications import Starlette

from dashboard.accounts import Accounts, accounts_path
from dashboard.app import create_app
from dashboard.data import DashboardData
from dashboard.security import secret_key
from dashboard.sqlite_data import SqliteData
from kiosk.config.schema import BackstepConfig
from kiosk.store.connection import database_path, resolve_data_dir

logger = logging.getLogger(__name__)


def open_data(config: BackstepConfig) -> DashboardData:
    """The fleet's central PostgreSQL when ``[fleet] database`` is set, else this station's file.

    Either is opened read-only. The PostgreSQL password comes from where the kiosk's fleet
    code reads it: ``fleet.password_file``, else ``BACKSTEP_FLEET_PASSWORD``, else libpq's.
    """
    if config.fleet.enabled:
        from dashboard.postgres_data import PostgresData

        return PostgresData(config.fleet)
    return SqliteData(database_path(config.storage))


def build_app(config: BackstepConfig) -> Starlette:
    """The dashboard over the members' database (read-only) and its trainer accounts."""
    data = open_data(config)
    accounts = Accounts(accounts_path(config.storage))
    return create_app(data, accounts, config, secret_key(resolve_data_dir(config.storage)))


def is_every_interface(host: str) -> bool:
    """True for 0.0.0.0 / :: (listening on every interface, which staff should not need)."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def serve(config: BackstepConfig, host: str, port: int) -> None:
    """Run the dashboard until stopped (SIGTERM from systemd, Ctrl-C by hand)."""
    import uvicorn

    if is_every_interface(host):
        logger.warning(
            "the dashboard listens on every interface (%s): set dashboard.host to this "
            "machine's LAN address instead",
            host,
        )
    app = build_app(config)
    # one worker process and no access log: a Pi's memory and SD card are the budget
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=1,
        access_log=False,
        log_level=config.logging.level.lower(),
        server_header=False,
        proxy_headers=False,
    )
