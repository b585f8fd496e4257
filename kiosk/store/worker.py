"""Database work off the UI thread: jobs run in one worker thread, results come back to the loop."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any

from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

_JOIN_TIMEOUT_S = 3.0


class StorageWorker:
    """Runs storage jobs (check-ins, history look-ups, baselines) in its own thread.

    The UI loop calls `submit(job, done)` and goes on drawing; `poll`, called once per loop
    iteration, runs ``done(result)`` on the UI thread for every finished job, so the loop
    never waits on SQLite's lock or an fsync. A job that raises hands ``done`` the exception
    instead (``on_error`` gets it too); nothing escapes into the loop.
    """

    def __init__(self, on_error: Callable[[str], None]) -> None:
        self._on_error = on_error
        self._jobs: queue.Queue[tuple[Callable[[], Any], Callable[[Any], None]] | None] = (
            queue.Queue()
        )
        self._done: queue.SimpleQueue[tuple[Callable[[Any], None], Any]] = queue.SimpleQueue()
        self._worker = WorkerThread(self._run, "backstep-storage", _JOIN_TIMEOUT_S)
        self._worker.start()

    def submit(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``job()`` in the worker; ``done(result)`` later runs in `poll`."""
        if self._worker.stopping.is_set():
            raise RuntimeError("the storage worker is closed")
        self._jobs.put((job, done))

    def poll(self) -> int:
        """Run the callbacks of finished jobs (UI thread); how many ran."""
        count = 0
        while True:
            try:
                done, result = self._done.get_nowait()
            except queue.Empty:
                return count
            count += 1
            done(result)

    def is_idle(self) -> bool:
        """True when no job is waiting (one may still be running)."""
        return self._jobs.empty()

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, done = item
            try:
                result: Any = job()
            except Exception as exc:
                logger.exception("storage job failed")
                self._on_error(f"storage: {exc}")
                result = exc
            self._done.put((done, result))

    def close(self) -> None:
        """Finish the jobs already submitted, then stop (idempotent)."""
        if not self._worker.stopping.is_set():
            # the None after the last job lets the queued ones finish first
            self._worker.stop(wake=lambda: self._jobs.put(None))
