"""Database work off the UI thread: jobs run in one worker thread, results come back to the loop."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="StorageWorker", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``job()`` in the worker; ``done(result)`` later runs in `poll`."""
        if self._stop.is_set():
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
        if self._stop.is_set():
            return
        self._stop.set()
        self._jobs.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(_JOIN_TIMEOUT_S)
            if self._thread.is_alive():
                logger.warning("storage worker did not stop within %.1f s", _JOIN_TIMEOUT_S)
