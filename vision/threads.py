"""The one lifecycle of every worker thread: a name, a stop event, a bounded join."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class WorkerThread:
    """A daemon thread that runs ``target`` once, with an explicit, idempotent stop.

    As gpiozero's ``GPIOThread``: the target watches `stopping`; `stop` sets it, wakes the
    target if asked to, and joins with a timeout, so a stuck device call can delay shutdown
    but never hang it. Daemon, so a thread that does not stop in time cannot keep the
    process alive after the kiosk has ended.
    """

    def __init__(
        self,
        target: Callable[[], None],
        name: str,
        join_timeout_s: float = 2.0,
        stopping: threading.Event | None = None,
    ) -> None:
        self.name = name
        self.join_timeout_s = join_timeout_s
        #: shared by the threads of one part (a reader and its watchdog) when passed in
        self.stopping = stopping if stopping is not None else threading.Event()
        self._target = target
        self._thread: threading.Thread | None = None

    @property
    def is_started(self) -> bool:
        """True once `start` ran."""
        return self._thread is not None

    @property
    def is_alive(self) -> bool:
        """True while the target runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; a stopped worker does not start again)."""
        if self._thread is not None or self.stopping.is_set():
            return
        self._thread = threading.Thread(target=self._target, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, wake: Callable[[], None] | None = None, timeout: float | None = None) -> bool:
        """Ask the target to end, call ``wake`` (to interrupt a wait), join; True if it ended.

        Safe to call twice and from the thread itself (then it only asks); ``timeout=0``
        only asks, for a caller that waits on the work itself rather than on the thread.
        """
        self.stopping.set()
        if wake is not None:
            wake()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        limit = self.join_timeout_s if timeout is None else timeout
        if limit <= 0:
            return not thread.is_alive()
        thread.join(limit)
        if thread.is_alive():
            logger.warning("%s did not stop within %.1f s", self.name, limit)
            return False
        return True

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the target to end by itself (without asking it to); True if it ended."""
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return thread is None or not thread.is_alive()
        thread.join(timeout)
        return not thread.is_alive()
