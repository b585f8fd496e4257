"""Check-in asks the server for the member, with a hard deadline, and falls back to the cache.

libpq's own connect timeout cannot go below 2 s, so the deadline is kept here: the
look-up runs in its own thread with a kept-open connection, and the caller waits at most
``lookup_timeout_s``. A late answer still lands in the cache, ready for next time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.config.schema import FleetConfig
from kiosk.fleet.central import FleetError, connect, explain
from kiosk.fleet.pull import MemberSnapshot, fetch_member
from kiosk.store.database import Store

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LookupResult:
    """Whether check-in got a fresh answer; ``note`` tells staff why not (never the member)."""

    fresh: bool
    seconds: float
    note: str | None = None
    snapshot: MemberSnapshot | None = None


class FleetLookup:
    """Fresh member data at check-in, within ``lookup_timeout_s``; else the station's copy."""

    def __init__(
        self, store: Store, cfg: FleetConfig, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.cfg = cfg
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="FleetLookup")
        self._conn: psycopg.Connection[Any] | None = None

    def refresh(self, candidates: Iterable[str]) -> LookupResult:
        """Fetch and cache the member; wait at most ``lookup_timeout_s``. Never raises."""
        ids = [c for c in candidates if c]
        start = time.monotonic()
        try:
            future: Future[MemberSnapshot] = self._pool.submit(self._fetch, ids)
        except RuntimeError:  # closed
            return LookupResult(False, 0.0, "fleet look-up is closed")
        try:
            snapshot = future.result(timeout=self.cfg.lookup_timeout_s)
        except FutureTimeout:
            took = time.monotonic() - start
            return LookupResult(False, took, f"server did not answer within {took:.1f} s")
        except Exception as exc:
            return LookupResult(False, time.monotonic() - start, explain(exc))
        return LookupResult(True, time.monotonic() - start, None, snapshot)

    def _fetch(self, ids: list[str]) -> MemberSnapshot:
        import psycopg

        for attempt in (1, 2):
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = connect(self.cfg)
                return fetch_member(self._conn, self.store, ids, self._clock())
            except psycopg.OperationalError:
                # a kept connection the server dropped (restart) fails once; reconnect and retry
                self._close_conn()
                if attempt == 2:
                    raise
            except (psycopg.Error, FleetError):
                self._close_conn()
                raise
        raise AssertionError("unreachable")

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                logger.debug("closing the look-up connection failed", exc_info=True)
            self._conn = None

    def close(self) -> None:
        """Stop the look-up thread (a look-up in flight is abandoned) and close (idempotent)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._close_conn()
