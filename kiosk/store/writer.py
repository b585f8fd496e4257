"""The session writer thread: commits batches, holds what fails and retries on its own clock."""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.store.database import EventRecord, Sample, SessionStatus, Store
from kiosk.store.errors import StorageError
from vision.retry import Backoff
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Rows kept in memory while the database fails (about two hours of samples).
MAX_PENDING_ROWS = 7200
#: Retry delays while rows are held: first and longest, seconds (a full disk may be freed
#: or a lock released at any moment; the member may already have pressed STOP).
RETRY_MIN_S = 0.5
RETRY_MAX_S = 5.0
#: Why rows are held while no database is open yet.
NO_DATABASE = "no database open yet"


@dataclass(slots=True)
class SessionRef:
    """A session the writer creates: its id once the row exists (None before or on failure)."""

    member_id: str | None
    program: str
    started_wall: float
    station_id: str
    id: int | None = None
    created: threading.Event = field(default_factory=threading.Event)


@dataclass(slots=True)
class Batch:
    """Rows of one session handed to the writer (the last one carries the session's end)."""

    session: SessionRef
    samples: list[Sample] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    finish: tuple[SessionStatus, float, dict[str, Any] | None] | None = None
    done: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True, slots=True)
class Unwritten:
    """Rows a writer could not write before it was told to stop (or had to drop)."""

    sessions: int = 0
    samples: int = 0
    events: int = 0
    session_ends: int = 0

    def __add__(self, other: Unwritten) -> Unwritten:
        return Unwritten(
            self.sessions + other.sessions,
            self.samples + other.samples,
            self.events + other.events,
            self.session_ends + other.session_ends,
        )

    @property
    def empty(self) -> bool:
        """True when nothing was lost."""
        return not (self.sessions or self.samples or self.events or self.session_ends)

    def describe(self) -> str:
        """Staff words: what was not written."""
        return (
            f"{self.samples} sample(s), {self.events} event(s) and {self.session_ends} "
            f"session end(s) of {self.sessions} session(s)"
        )

    def as_dict(self) -> dict[str, int]:
        """For the run's JSON summary."""
        return {
            "sessions": self.sessions,
            "samples": self.samples,
            "events": self.events,
            "session_ends": self.session_ends,
        }


def count_unwritten(batches: list[Batch]) -> Unwritten:
    """What ``batches`` still hold."""
    return Unwritten(
        len({id(b.session) for b in batches if b.samples or b.events or b.finish}),
        sum(len(b.samples) for b in batches),
        sum(len(b.events) for b in batches),
        sum(1 for b in batches if b.finish is not None),
    )


class _Ledger:
    """The process's live writers and what stopped writers could not write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writers: weakref.WeakSet[SessionWriter] = weakref.WeakSet()
        self._lost: list[Unwritten] = []

    def add(self, writer: SessionWriter) -> None:
        with self._lock:
            self._writers.add(writer)

    def lost(self, rows: Unwritten) -> None:
        with self._lock:
            self._lost.append(rows)

    def mark(self) -> int:
        with self._lock:
            return len(self._lost)

    def lost_since(self, mark: int) -> Unwritten:
        with self._lock:
            total = Unwritten()
            for rows in self._lost[mark:]:
                total = total + rows
            return total

    def writers(self) -> list[SessionWriter]:
        with self._lock:
            return list(self._writers)


LEDGER = _Ledger()


def ledger_mark() -> int:
    """A token for `lost_since` (the app takes one at start)."""
    return LEDGER.mark()


def lost_since(mark: int) -> Unwritten:
    """Rows writers gave up on since ``mark`` (the run summary's "unsaved")."""
    return LEDGER.lost_since(mark)


def settle_unsaved(summary: dict[str, Any], mark: int) -> None:
    """Add what the writers gave up on since ``mark`` to a run summary; "saving" only if none."""
    lost = lost_since(mark)
    summary["unsaved"] = lost.as_dict()
    summary["saving"] = bool(summary.get("saving")) and lost.empty


def held_rows() -> int:
    """Rows live writers hold because writing them failed (0 = everything is being saved)."""
    return sum(w.held_rows() for w in LEDGER.writers())


def adopt_store(store: Store) -> int:
    """Hand a newly opened database to every live writer that has none; how many took it.

    A session that began while the database could not be opened is then written from its
    first row (its rows were held in memory meanwhile).
    """
    taken = 0
    for writer in LEDGER.writers():
        taken += writer.attach(store)
    return taken


class SessionWriter:
    """The thread that commits batches, so an fsync on the SD card never stalls drawing.

    A batch that fails (full disk, locked or missing database) is held and retried on the
    writer's own clock (``RETRY_MIN_S`` doubling to ``RETRY_MAX_S``), not only when the
    session hands over more rows: the member may have pressed STOP already. `finish` lets it
    end once everything is written; `stop` (process shutdown) makes one last attempt, then
    logs and records in `LEDGER` what it could not write.
    """

    def __init__(self, store: Store | None, on_error: Callable[[str], None]) -> None:
        self._store = store
        self._on_error = on_error
        self._queue: queue.Queue[Batch | None] = queue.Queue()
        self._pending: list[Batch] = []
        self._lock = threading.Lock()  # guards _pending and _failing for other threads
        self._failing = False
        self._draining = threading.Event()
        self._wake = threading.Event()
        self._dropped = Unwritten()
        self._reported = False
        self._waited_for_store = False
        self._last_error: str | None = None
        self._worker = WorkerThread(self._run, "backstep-session-writer")
        LEDGER.add(self)
        self._worker.start()

    def put(self, batch: Batch) -> None:
        """Queue a batch (any thread)."""
        self._queue.put(batch)

    def attach(self, store: Store) -> bool:
        """Use ``store`` when the writer has none yet (a database opened late); True if taken."""
        with self._lock:
            if self._store is not None or not self._worker.is_alive:
                return False
            self._store = store
        self._wake.set()
        self._queue.put(None)  # wake the thread: write what is held now
        return True

    def is_alive(self) -> bool:
        """True while the thread runs (it ends once finished and everything is written)."""
        return self._worker.is_alive

    def is_idle(self) -> bool:
        """True when every batch handed over has been written (or given up)."""
        with self._lock:
            return self._queue.empty() and not self._pending

    def held_rows(self) -> int:
        """Rows held because writing them failed (0 while writing works)."""
        with self._lock:
            if not self._failing or not self._worker.is_alive:
                return 0  # a stopped writer's rows are in the ledger, not "held"
            rows = sum(len(b.samples) + len(b.events) for b in self._pending)
            return rows + sum(b.finish is not None for b in self._pending) or 1

    def unwritten(self) -> Unwritten:
        """Everything not yet written: held, queued, and dropped for room."""
        with self._lock:
            batches = list(self._pending)
        batches += [b for b in list(self._queue.queue) if b is not None]
        return count_unwritten(batches) + self._dropped

    # -- the thread --------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff(RETRY_MIN_S, RETRY_MAX_S)
        retry_at = 0.0
        while True:
            stopping = self._worker.stopping.is_set()
            if stopping or (self._draining.is_set() and self.is_idle()):
                break
            timeout = max(0.05, min(0.2, retry_at - time.monotonic())) if self._pending else 0.2
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is not None:
                with self._lock:
                    self._pending.append(item)
            if not self._pending:
                continue
            if item is None and time.monotonic() < retry_at and not self._wake.is_set():
                continue
            self._wake.clear()
            if self._write_pending():
                backoff.reset()
            else:
                retry_at = time.monotonic() + backoff.next()
        # told to stop: take what is still queued, one last attempt, then say what is lost
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                with self._lock:
                    self._pending.append(item)
        if self._pending:
            self._write_pending()
        self._report()

    def _write_pending(self) -> bool:
        """Write held batches in order; False (and the rest kept) at the first failure."""
        recovered = self._failing
        while self._pending:
            batch = self._pending[0]
            store = self._store
            try:
                if store is None:
                    raise StorageError(NO_DATABASE)
                write_batch(store, batch)
            except StorageError as exc:
                message = str(exc)
                with self._lock:
                    self._failing = True
                self._waited_for_store = store is None
                if message != self._last_error:  # once per streak and kind, not every retry
                    self._on_error(message)
                else:
                    logger.info("session rows still held (%s); retrying", message)
                self._last_error = message
                self._bound_pending()
                return False
            with self._lock:
                self._pending.pop(0)
                if not self._pending:
                    self._failing = False
            self._last_error = None
            batch.done.set()
        if self._waited_for_store:
            logger.warning("session rows held while the database was unavailable are written")
            self._waited_for_store = False
        if recovered:
            from kiosk.store.status import KEEPER

            logger.warning("session recording works again: every held row is written")
            KEEPER.saving_resumed()  # `backstep doctor` sees the recovery
        return True

    def _bound_pending(self) -> None:
        # bounded: coaching matters more than a perfect history
        with self._lock:
            rows = sum(len(b.samples) + len(b.events) for b in self._pending)
            while rows > MAX_PENDING_ROWS and len(self._pending) > 1:
                dropped = self._pending.pop(0)
                dropped.done.set()
                rows -= len(dropped.samples) + len(dropped.events)
                self._dropped = self._dropped + count_unwritten([dropped])

    def _report(self) -> None:
        if self._reported:
            return
        self._reported = True
        lost = self.unwritten()
        if lost.empty:
            return
        LEDGER.lost(lost)
        message = f"could not write {lost.describe()} before stopping"
        logger.error("session recording: %s", message)

    # -- ending --------------------------------------------------------------------------------

    def finish(self) -> None:
        """End once everything handed over is written (retrying meanwhile); returns at once."""
        self._draining.set()
        self._queue.put(None)

    def stop(self, timeout: float) -> None:
        """Shutdown: one last attempt, then report what could not be written (waits ``timeout``)."""
        self._worker.stop(wake=lambda: self._queue.put(None), timeout=timeout)
        if self._worker.is_alive:
            # still inside a write (a 2 s lock wait): say now what it holds
            self._report()


def create_session(store: Store, ref: SessionRef) -> None:
    """Create the session's row (once); a failure raises StorageError and is retried.

    The writer keeps the failed batch and tries again, so a session that began during a
    lock, a full disk or before the database opened is saved once the database recovers.
    """
    if ref.id is not None:
        return
    try:
        ref.id = store.start_session(ref.member_id, ref.program, ref.started_wall, ref.station_id)
    finally:
        ref.created.set()


def write_batch(store: Store, batch: Batch) -> None:
    """Commit one batch: samples and events, then the session's end if it carries one.

    The first batch of a session creates its row, so starting a session never waits on
    the database in the caller's thread.
    """
    ref = batch.session
    create_session(store, ref)
    assert ref.id is not None
    store.append_session_data(ref.id, batch.samples, batch.events)
    batch.samples, batch.events = [], []  # written: a retry of the finish must not repeat them
    if batch.finish is not None:
        status, ended, summary = batch.finish
        store.finish_session(ref.id, status, ended, summary)
        batch.finish = None
