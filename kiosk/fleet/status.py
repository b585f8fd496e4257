"""The fleet's status for ``backstep fleet status``, ``doctor`` and the staff screen."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from kiosk.config.schema import FleetConfig
from kiosk.fleet.setaside import SetAsideRow, set_aside_rows
from kiosk.store.database import Store
from kiosk.store.outbox import OutboxCounts


@dataclass(frozen=True, slots=True)
class FleetStatus:
    """What ``backstep fleet status``, ``doctor`` and the staff screen show."""

    configured: bool
    reachable: bool | None  # None = not checked
    last_sync: float | None
    waiting: OutboxCounts
    last_error: str | None
    #: when the server was first found unreachable in the current outage (None = up/unknown)
    down_since: float | None = None
    #: rows the server refused, kept here and no longer uploaded (`backstep fleet set-aside`)
    set_aside: tuple[SetAsideRow, ...] = ()

    def lines(self, now: float | None = None) -> list[str]:
        """Staff-readable lines."""
        if not self.configured:
            return ["fleet: off (this station alone)"]
        now = time.time() if now is None else now
        reach = {True: "reachable", False: "NOT reachable", None: "not checked"}[self.reachable]
        if self.last_sync is None:
            last = "never"
        else:
            stamp = dt.datetime.fromtimestamp(self.last_sync).strftime("%Y-%m-%d %H:%M:%S")
            last = f"{stamp} ({now - self.last_sync:.0f} s ago)"
        w = self.waiting
        out = [
            f"server: {reach}",
            f"last successful sync: {last}",
            f"waiting to upload: {w.total} ({w.sessions} sessions, {w.checkins} check-ins,"
            f" {w.baselines} baselines)",
        ]
        if self.set_aside:
            out.append(
                f"set aside (refused by the server, kept here): {len(self.set_aside)} row(s);"
                " see `backstep fleet set-aside list`"
            )
            out += [f"  {r.line()}" for r in self.set_aside[:5]]
            if len(self.set_aside) > 5:
                out.append(f"  ... and {len(self.set_aside) - 5} more")
        if self.last_error:
            out.append(f"last error: {self.last_error}")
        return out


def read_status(store: Store, cfg: FleetConfig, reachable: bool | None = None) -> FleetStatus:
    """The status from the station database's facts (works from another process)."""
    last = store.fleet_fact("last_sync")
    error = store.fleet_fact("last_error") or None
    return FleetStatus(
        cfg.enabled,
        reachable,
        None if last is None else float(last),
        store.outbox_counts(),
        error,
        set_aside=tuple(set_aside_rows(store)),
    )
