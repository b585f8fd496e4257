"""QR decoding off the UI thread: the newest camera frame in, decoded member IDs out."""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from kiosk.members.checkin import QrScanner

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
        self._stop = threading.Event()
        self._active = False
        self._frame: tuple[int, Any] | None = None
        self._results: deque[str] = deque(maxlen=_RESULTS)
        self._thread: threading.Thread | None = None
        self.decoded = 0  # frames decoded (skipped ones not counted): for tests and status

    @property
    def is_active(self) -> bool:
        """True while frames are accepted (the check-in screen shows)."""
        with self._cond:
            return self._active

    def activate(self) -> None:
        """Accept frames (starts the thread the first time)."""
        with self._cond:
            if self._active or self._stop.is_set():
                return
            self._active = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="QrWorker", daemon=True)
                self._thread.start()
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
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set() and (not self._active or self._frame is None):
                    self._cond.wait(0.5)
                if self._stop.is_set():
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
        self._stop.set()
        with self._cond:
            self._active = False
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_TIMEOUT_S)
            if thread.is_alive():
                logger.warning("QR thread did not stop within %.1f s", _JOIN_TIMEOUT_S)
