"""The fleet line of ``backstep doctor``: reachable, encrypted, clock, last sync, rows waiting."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kiosk.config.schema import BackstepConfig
from kiosk.fleet.central import FleetError, connect, is_same_host
from kiosk.fleet.sync import read_status
from kiosk.store.database import Store, database_path

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

#: A station that has not synced for this long while rows wait deserves a look.
STALE_SYNC_S = 3600.0
#: A station clock further off the server's than this gets a warning (baselines are dated
#: on the server since schema step 3, but sessions and check-ins still carry station times).
CLOCK_OFF_S = 60.0


@dataclass(frozen=True, slots=True)
class ConnectionFacts:
    """What the server says about this station's connection."""

    encrypted: bool
    tls_version: str | None
    clock_offset_s: float  # station clock minus server clock


def connection_facts(
    conn: psycopg.Connection[Any], local_clock: Callable[[], float] = time.time
) -> ConnectionFacts:
    """Encryption (``pg_stat_ssl``) and the station clock's offset from the server's."""
    before = local_clock()
    row = conn.execute(
        "SELECT extract(epoch FROM clock_timestamp())::float8,"
        " COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),"
        " (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid())"
    ).fetchone()
    after = local_clock()
    assert row is not None
    # the server read its clock somewhere within the round trip: compare with the middle
    return ConnectionFacts(bool(row[1]), row[2], (before + after) / 2 - float(row[0]))


def clock_warning(offset_s: float) -> str | None:
    """A doctor warning when the station clock is more than a minute off the server's."""
    if abs(offset_s) <= CLOCK_OFF_S:
        return None
    side = "ahead of" if offset_s > 0 else "behind"
    return f"this station's clock is {abs(offset_s):.0f} s {side} the server's"


@dataclass(frozen=True, slots=True)
class FleetHealth:
    """One doctor line: a server that cannot be reached only warns (the station works alone)."""

    status: Literal["ok", "warn", "fail"]
    detail: str
    fix: str = ""


def fleet_health(
    cfg: BackstepConfig,
    now: float | None = None,
    local_clock: Callable[[], float] = time.time,
) -> FleetHealth:
    """Check the [fleet] settings against the server (TLS, clock) and the local outbox."""
    if not cfg.fleet.enabled:
        return FleetHealth("ok", "off (this station alone)")
    now = time.time() if now is None else now
    facts: ConnectionFacts | None = None
    try:
        with connect(cfg.fleet) as conn:
            facts = connection_facts(conn, local_clock)
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
    if state and state.set_aside:
        detail += f", {len(state.set_aside)} set aside (backstep fleet set-aside list)"
    if not reachable or facts is None:
        return FleetHealth(
            "warn",
            f"server NOT reachable: {why}; {detail}",
            "check fleet.database, the password file, the network and the server; "
            "the station keeps recording and uploads later",
        )
    link = f"encrypted ({facts.tls_version})" if facts.encrypted else "NOT encrypted"
    head = f"server reachable, {link}; {detail}"
    if not facts.encrypted and not is_same_host(cfg.fleet.database):
        return FleetHealth("warn", head, "set fleet.sslmode = verify-full (docs/fleet-security.md)")
    clock = clock_warning(facts.clock_offset_s)
    if clock:
        return FleetHealth(
            "warn", f"{head}; {clock}", "set up time sync (timedatectl set-ntp true)"
        )
    if waiting and (last is None or now - last > STALE_SYNC_S):
        return FleetHealth("warn", head, "is the kiosk running? see journalctl")
    if state and state.set_aside:
        return FleetHealth("warn", head, "see docs/fleet-security.md: set-aside rows")
    return FleetHealth("ok", head)
