"""A station's fleet parts, built from the config: the sync thread and the check-in look-up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config.schema import BackstepConfig
from kiosk.fleet.lookup import FleetLookup
from kiosk.fleet.sync import FleetStatus, FleetSync
from kiosk.store.database import Store

logger = logging.getLogger(__name__)

#: Pause between upload batches of 25 sessions in the kiosk: a backlog of 1,000 sessions
#: drains a few seconds slower, and the UI thread gets the CPU between batches
#: (docs/benchmarks.md, "Fleet": UI frame rate while draining).
KIOSK_BATCH_PAUSE_S = 0.1


@dataclass(slots=True)
class StationFleet:
    """The running fleet parts of one station; `close` stops both (idempotent)."""

    sync: FleetSync
    lookup: FleetLookup

    def status(self) -> FleetStatus:
        """For the staff screen: reachable, last sync, rows waiting (no network call)."""
        return self.sync.status()

    def close(self) -> None:
        """Stop the sync thread and the look-up, close their databases."""
        self.lookup.close()
        self.sync.close()
        self.sync.store.close()
        self.lookup.store.close()


def open_station_fleet(
    config: BackstepConfig, db_path: Path, on_notice: Callable[[str], None] | None = None
) -> StationFleet | None:
    """Start syncing this station's database ``db_path`` with the server; None when off.

    The sync and the look-up each get their own SQLite connection (WAL lets them read
    beside the kiosk's writers); neither touches the network before its thread runs.
    """
    if not config.fleet.enabled:
        return None
    sync = FleetSync(
        Store(db_path),
        config.fleet,
        config.station.id,
        on_notice=on_notice,
        batch_pause_s=KIOSK_BATCH_PAUSE_S,
    )
    sync.start()
    lookup = FleetLookup(Store(db_path), config.fleet)
    logger.info("fleet: syncing with %s", config.fleet.database)
    return StationFleet(sync, lookup)
