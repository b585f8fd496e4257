"""Writes a session as it happens: per-second samples and events, committed every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kiosk.domain import STOPPED
from kiosk.session.stats import Sample as SecondSample
from kiosk.session.stats import SecondSampler
from kiosk.store.database import EventRecord, Sample, SessionStatus, Store
from kiosk.store.errors import StorageError
from kiosk.store.writer import (
    Batch,
    SessionRef,
    SessionWriter,
    create_session,
    write_batch,
)
from vision.types import FrameMetrics

logger = logging.getLogger(__name__)

# The writer thread lives in the store package (it holds and retries what fails).
_SessionRef = SessionRef
_Batch = Batch
_Writer = SessionWriter


class SessionRecorder:
    """Records one session at a time and never raises into the UI loop.

    ``add_samples`` stores the per-second samples of the session's one sampler (the one
    behind the summary charts, `kiosk.session.stats.SecondSampler`); ``add_sample`` feeds a
    sampler of the same kind from raw metrics, for tools without a `SessionStats`. Buffered
    rows are handed to a writer thread at least every ``flush_interval_s`` of the caller's
    clock, so a crash or power cut loses at most that interval plus one sample window
    (2 s + 1 s by default, within the 5 s the kiosk promises). Failures are logged and
    kept in :attr:`last_error`.

    Times passed in (``t``) come from the caller's clock (``time.monotonic()`` in the
    kiosk, ``FrameResult.t``); the session's wall-clock start comes from ``wall_clock``.
    """

    def __init__(
        self,
        store: Store | None,
        *,
        station_id: str = "",
        flush_interval_s: float = 2.0,
        sample_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        background: bool = True,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        if flush_interval_s <= 0 or sample_interval_s <= 0:
            raise ValueError("intervals must be positive")
        self._store = store
        self.station_id = station_id
        self.flush_interval_s = flush_interval_s
        self.sample_interval_s = sample_interval_s
        self._clock = clock
        self._wall_clock = wall_clock
        self._writer: _Writer | None = None
        self._background = background
        self._session: _SessionRef | None = None
        self.last_error: str | None = None
        self._on_error = on_error  # the app counts and shows recording failures
        self._t0 = 0.0
        self._started_wall = 0.0
        self._last_t = 0.0
        self._last_flush_t = 0.0
        self._sampler = SecondSampler(sample_interval_s)
        self._samples: list[Sample] = []
        self._events: list[EventRecord] = []

    @property
    def is_active(self) -> bool:
        """True while a session is being recorded."""
        return self._session is not None

    @property
    def session_id(self) -> int | None:
        """The current session's id once its row exists (the writer creates it)."""
        return self._session.id if self._session is not None else None

    def wait_started(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the session's row; its id (for tests and tools only).

        The kiosk never calls this: it must not wait on the database.
        """
        ref = self._session
        if ref is None:
            return None
        ref.created.wait(timeout)
        return ref.id

    def id_waiter(self) -> Callable[[float], int | None]:
        """A function that waits (up to its timeout) for this session's row id.

        It stays valid after `finish` (the take-away link is saved once the row exists, by
        the storage worker: the UI thread never waits).
        """
        ref = self._session

        def wait(timeout: float) -> int | None:
            if ref is None:
                return None
            ref.created.wait(timeout)
            return ref.id

        return wait

    def is_written(self) -> bool:
        """True when everything handed to the writer has been written (the "saving…" state)."""
        return self._writer is None or self._writer.is_idle()

    def _error(self, message: str) -> None:
        logger.error("session recording: %s", message)
        self.last_error = message
        if self._on_error is not None:
            try:
                self._on_error(message)
            except Exception:
                logger.exception("reporting a recording failure failed")

    def start(self, member_id: str | None, program: str, t: float | None = None) -> int | None:
        """Begin a session (finishing a forgotten one as ``stopped``).

        With the background writer this never touches the database: the writer creates the
        row before the first rows of the session, and this returns None (`session_id` and
        `wait_started` give the id later). Without it, the row is created now and its id
        returned. None also when the database is unavailable: the member is still coached.
        """
        t = self._clock() if t is None else t
        if self.is_active:
            self.finish(STOPPED, None, t)
        self._t0 = self._last_t = self._last_flush_t = t
        self._sampler = SecondSampler(self.sample_interval_s)
        self._samples, self._events = [], []
        if self._store is None and not self._background:
            return None
        self._started_wall = self._wall_clock()
        ref = _SessionRef(member_id, program, self._started_wall, self.station_id)
        if self._background:
            # without a database the writer holds the rows until one opens (`attach`)
            if self._writer is None:
                self._writer = _Writer(self._store, self._error)
            self._session = ref
            self._writer.put(_Batch(ref))  # creates the row at once, off the caller's thread
            return None
        assert self._store is not None
        try:
            create_session(self._store, ref)
        except StorageError as exc:
            self._error(str(exc))
            return None
        self._session = ref
        return ref.id

    def attach(self, store: Store) -> None:
        """A database opened after the session began: it takes over the held rows."""
        if self._store is None:
            self._store = store
        if self._writer is not None:
            self._writer.attach(store)

    def add_sample(self, t: float, metrics: FrameMetrics) -> None:
        """Add one frame's metrics; flushes when ``flush_interval_s`` has passed."""
        if not self.is_active:
            return
        done = self._sampler.add(t - self._t0, metrics)
        self._samples.extend(s.to_row() for s in done)
        self._tick(t)

    def add_samples(self, t: float, samples: Iterable[SecondSample]) -> None:
        """Store finished per-second samples from the session's sampler (``t`` = now)."""
        if not self.is_active:
            return
        self._samples.extend(s.to_row() for s in samples)
        self._tick(t)

    def add_event(self, t: float, kind: str, data: Mapping[str, Any] | None = None) -> None:
        """Add a cue, fault or safety event (``data`` must be JSON-serialisable)."""
        if not self.is_active:
            return
        self._events.append(EventRecord(round(t - self._t0, 3), kind, dict(data or {})))
        self._tick(t)

    def add_events(self, events: Iterable[Any]) -> None:
        """Add ``vision.types.Event`` objects (anything with ``kind``, ``t``, ``data``)."""
        for ev in events:
            self.add_event(ev.t, ev.kind, ev.data)

    def _tick(self, t: float) -> None:
        self._last_t = max(self._last_t, t)
        if t - self._last_flush_t >= self.flush_interval_s:
            self.flush(t)

    def flush(self, t: float | None = None) -> None:
        """Hand the buffered rows to the writer (or write them now without a writer)."""
        if self._session is None:
            return
        self._last_flush_t = self._last_t if t is None else t
        if not self._samples and not self._events:
            return
        batch = _Batch(self._session, self._samples, self._events)
        self._samples, self._events = [], []
        self._submit(batch)

    def _submit(self, batch: _Batch) -> None:
        if self._writer is not None:
            self._writer.put(batch)
            return
        assert self._store is not None
        try:
            write_batch(self._store, batch)
        except StorageError as exc:
            self._error(str(exc))

    def finish(
        self,
        status: SessionStatus,
        summary: dict[str, Any] | None,
        t: float | None = None,
        timeout: float = 0.0,
    ) -> None:
        """End the session: hand the rest, its status, end time and summary to the writer.

        Returns at once by default (the UI loop calls it; `is_written` tells when it is on
        disk); a positive ``timeout`` waits that long for the writer (tools and tests).
        """
        if self._session is None:
            return
        t = self._last_t if t is None else t
        tail = self._sampler.flush()
        if tail is not None:
            self._samples.append(tail.to_row())
        ended = self._started_wall + max(t - self._t0, 0.0)
        batch = _Batch(self._session, self._samples, self._events, (status, ended, summary))
        self._samples, self._events = [], []
        self._session = None
        self._submit(batch)
        if self._writer is not None and timeout > 0 and not batch.done.wait(timeout):
            self._error("the session end is still being written")

    def close(self, timeout: float = 2.0) -> None:
        """Stop the writer thread after it wrote what it has (idempotent).

        Waits up to ``timeout`` s for it, after one last attempt at held rows (0: do not
        wait; the thread writes everything it was handed, retrying failures, then ends).
        An unfinished session stays ``active`` and is closed as ``interrupted`` at the next
        start, exactly as after a crash.
        """
        self.flush()
        writer = self._writer
        if writer is not None:
            if timeout > 0:
                writer.stop(timeout)  # shutdown: a last attempt, then what is lost is logged
            else:
                writer.finish()  # keeps retrying held rows until all are written
            if timeout > 0 or not writer.is_alive():
                self._writer = None
