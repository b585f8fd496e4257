"""QR decoding off the UI thread: the newest camera frame in, decoded member IDs out."""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from kiosk.members.checkin import QrScanner
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

_JOIN_TIMEOUT_S = 2.0
#: Decoded codes kept until the UI loop takes them (a member holds a code up for a while).
_RESULTS = 8


class QrWorker:
    """Decodes QR codes in a small thread while the check-in screen is shown.

    The UI loop hands over frames with `offer` (one slot: a newer frame replaces one not yet
    decoded, as in the capture thread, so nothing queues up) and collects codes with `take`.
    The thread starts on the first `activate` and sleeps while the worker is inactive, so
    no decoding happens outside the check-in screen (never during a session).
    """

    def __init__(self, scanner: QrScanner) -> None:
        self.scanner = scanner
        self._cond = threading.Condition()
        self._active = False
        self._frame: tuple[int, Any] | None = None
        self._results: deque[str] = deque(maxlen=_RESULTS)
        self._worker = WorkerThread(self._run, "backstep-qr", _JOIN_TIMEOUT_S)
        self.decoded = 0  # frames decoded (skipped ones not counted): for tests and status

    @property
    def is_active(self) -> bool:
        """True while frames are accepted (the check-in screen shows)."""
        with self._cond:
            return self._active

    def activate(self) -> None:
        """Accept frames (starts the thread the first time)."""
        with self._cond:
            if self._active or self._worker.stopping.is_set():
                return
            self._active = True
            self._worker.start()
            self._cond.notify_all()

    def deactivate(self) -> None:
        """Stop decoding: forget the pending frame and any code not yet taken."""
        with self._cond:
            if not self._active:
                return
            self._active = False
            self._frame = None
            self._results.clear()

    def offer(self, index: int, rgb: Any) -> None:
        """Hand over a camera frame (replaces one not yet decoded); ignored when inactive."""
        with self._cond:
            if not self._active:
                return
            self._frame = (index, rgb)
            self._cond.notify_all()

    def take(self) -> list[str]:
        """Codes decoded since the last call, oldest first."""
        with self._cond:
            codes = list(self._results)
            self._results.clear()
        return codes

    def _run(self) -> None:
        stopping = self._worker.stopping
        while not stopping.is_set():
            with self._cond:
                while not stopping.is_set() and (not self._active or self._frame is None):
                    self._cond.wait(0.5)
                if stopping.is_set():
                    return
                assert self._frame is not None
                _index, rgb = self._frame
                self._frame = None
            try:
                code = self.scanner.scan(rgb)
            except Exception:  # a bad frame must not end check-in
                logger.exception("QR decoding failed")
                continue
            with self._cond:
                self.decoded += 1
                if code and self._active:
                    self._results.append(code)

    def close(self) -> None:
        """Stop the thread (idempotent)."""
        self._worker.stop(wake=self._wake)

    def _wake(self) -> None:
        with self._cond:
            self._active = False
            self._cond.notify_all()
