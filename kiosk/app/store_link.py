"""The database seen from the loop: opened (and reopened) in the background, failures counted."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kiosk.config.schema import StorageConfig
from vision.retry import Backoff
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Backoff between attempts to open the database: first and longest delay, seconds.
REOPEN_MIN_S = 1.0
REOPEN_MAX_S = 30.0
#: The "not saving" mark stays this long after the last recording failure.
NOT_SAVING_HOLD_S = 30.0


class StoreOpener:
    """Opens the database in its own thread, retrying with backoff until it works.

    A two-second lock, a full disk or a read-only folder at start must not mean "nothing
    saved until a restart": the loop calls `take` every step and installs the store the
    moment it opens. ``open_store(cfg, wall_time)`` returns ``(store, note)`` (see
    `kiosk.store.health.open_checked_store`); notes and each new kind of failure go to
    ``on_note`` / ``on_error`` from this thread (both are thread-safe in the app).
    """

    def __init__(
        self,
        cfg: StorageConfig,
        open_store: Callable[[StorageConfig, float], tuple[Any, str | None]],
        on_error: Callable[[str], None],
        on_note: Callable[[str], None],
    ) -> None:
        self._cfg = cfg
        self._open = open_store
        self._on_error = on_error
        self._on_note = on_note
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._store: Any = None
        self.last_error: str | None = None
        self.attempts = 0
        self._worker = WorkerThread(self._run, "backstep-store-open", 5.0, stopping=self._stop)

    def start(self) -> None:
        """Start trying (returns at once)."""
        self._worker.start()

    def _run(self) -> None:
        backoff = Backoff(REOPEN_MIN_S, REOPEN_MAX_S)
        while not self._stop.is_set():
            self.attempts += 1
            try:
                store, note = self._open(self._cfg, time.time())
            except Exception as exc:
                delay = backoff.next()
                message = str(exc)
                if message != self.last_error:
                    self._on_error(f"storage unavailable: {message} (retrying)")
                else:
                    logger.info("storage still unavailable: %s; next try in %.0f s", exc, delay)
                self.last_error = message
                if self._stop.wait(delay):
                    return
                continue
            if note:
                self._on_note(note)
            if self.attempts > 1:
                logger.warning("storage available again after %d attempts", self.attempts)
            with self._lock:
                if self._stop.is_set():
                    store.close()
                    return
                self._store = store
            return

    def take(self) -> Any:
        """The newly opened store, once (None until then, and after)."""
        with self._lock:
            store, self._store = self._store, None
        return store

    @property
    def is_trying(self) -> bool:
        """True while the thread is still trying to open the database."""
        return self._worker.is_alive

    def close(self) -> None:
        """Stop trying; a store opened but never taken is closed."""
        self._worker.stop()
        store = self.take()
        if store is not None:
            store.close()


class SavingHealth:
    """Recording failures: how many, the last one, and whether the mark should show."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0
        self.last_error: str | None = None
        self._last_at: float | None = None
        from kiosk.store.writer import ledger_mark

        #: rows the session writers give up on from here count in this run's summary
        self.lost_mark = ledger_mark()

    def failed(self, message: str) -> None:
        """One failure (thread-safe: the recorder's writer thread reports here)."""
        with self._lock:
            self.failures += 1
            self.last_error = message
            self._last_at = time.monotonic()

    def recent(self, now: float) -> bool:
        """True within ``NOT_SAVING_HOLD_S`` of the last failure."""
        with self._lock:
            return self._last_at is not None and now - self._last_at < NOT_SAVING_HOLD_S
