"""The fleet line of ``backstep doctor``: server reachable, last sync, rows waiting."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

from kiosk.config.schema import BackstepConfig
from kiosk.fleet.central import FleetError, connect
from kiosk.fleet.sync import read_status
from kiosk.store.database import Store, database_path

logger = logging.getLogger(__name__)

#: A station that has not synced for this long while rows wait deserves a look.
STALE_SYNC_S = 3600.0


@dataclass(frozen=True, slots=True)
class FleetHealth:
    """One doctor line: a server that cannot be reached only warns (the station works alone)."""

    status: Literal["ok", "warn", "fail"]
    detail: str
    fix: str = ""


def fleet_health(cfg: BackstepConfig, now: float | None = None) -> FleetHealth:
    """Check the [fleet] settings against the server and the local outbox."""
    if not cfg.fleet.enabled:
        return FleetHealth("ok", "off (this station alone)")
    now = time.time() if now is None else now
    try:
        connect(cfg.fleet).close()
        reachable, why = True, ""
    except FleetError as exc:
        reachable, why = False, str(exc)
    path = database_path(cfg.storage)
    if not path.is_file():
        state = None
    else:
        with Store(path) as store:
            state = read_status(store, cfg.fleet, reachable)
    waiting = state.waiting.total if state else 0
    last = state.last_sync if state else None
    ago = "never synced" if last is None else f"last sync {now - last:.0f} s ago"
    detail = f"{ago}, {waiting} row(s) waiting"
    if not reachable:
        return FleetHealth(
            "warn",
            f"server NOT reachable: {why}; {detail}",
            "check fleet.database, the password file, the network and the server; "
            "the station keeps recording and uploads later",
        )
    if waiting and (last is None or now - last > STALE_SYNC_S):
        return FleetHealth(
            "warn", f"server reachable; {detail}", "is the kiosk running? see journalctl"
        )
    return FleetHealth("ok", f"server reachable; {detail}")
