"""Keeping members in front of the kiosk: kiosk mode, exit statuses, one kiosk per data folder."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import IO

from kiosk.app.errors import AlreadyRunningError as AlreadyRunningError

logger = logging.getLogger(__name__)

#: Exit status of a quit chosen in the staff menu under systemd; the unit lists it in
#: ``RestartPreventExitStatus=`` so only this exit is not restarted (``Restart=always``).
EXIT_STAFF_QUIT = 4
#: Exit status when another kiosk already holds the data folder.
EXIT_ALREADY_RUNNING = 3
#: Exit status when no display can be opened (after the back-off).
EXIT_NO_DISPLAY = 5
LOCK_NAME = "backstep.lock"


def under_systemd(environ: Mapping[str, str] | None = None) -> bool:
    """True when a systemd unit started us (it sets ``INVOCATION_ID`` for every service)."""
    env = os.environ if environ is None else environ
    return bool(env.get("INVOCATION_ID") or env.get("NOTIFY_SOCKET"))


class InstanceLock:
    """An exclusive ``flock`` on ``<data folder>/backstep.lock`` for the process's lifetime.

    The kernel drops the lock when the process dies (even by SIGKILL), so a crash never
    leaves a stale lock behind; the PID written into the file is only for the message.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyRunningError` saying who holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            # a read-only or missing folder: nothing can be written there, by us or a second
            # kiosk, so there is nothing to protect; the storage problem is reported elsewhere
            logger.warning("no single-instance lock in %s: %s", self.path.parent, exc)
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunningError(
                f"another backstep kiosk (pid {holder}) is already using the data folder "
                f"{self.path.parent}; stop it first (sudo systemctl stop backstep) or give this "
                "one its own folder with BACKSTEP_DATA_DIR"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None


class StopSignal:
    """SIGTERM/SIGINT set a flag the UI loop reads, so a shutdown ends the loop cleanly.

    The handler only sets an attribute (no I/O, no logging inside a signal handler); the
    loop then ends the member's session as ``interrupted`` and prints its summary line.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        """Take over SIGTERM and SIGINT (main thread only; elsewhere a no-op)."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (tests running the app in a thread)
                return

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum

    def restore(self) -> None:
        """Put the previous handlers back (idempotent)."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()
