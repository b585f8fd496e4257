"""Keeping members in front of the kiosk: kiosk mode, exit statuses, one kiosk per data folder."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

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
        self._file = handle  # the lock is ours from here, whatever happens to the PID below
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        except OSError as exc:
            # a full disk at the very first start: the PID is only for the message a second
            # kiosk prints; the station must still come up (and say the disk is full)
            why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or exc)
            logger.warning("cannot write the PID into %s: %s", self.path, why)

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            finally:
                try:
                    self._file.close()
                except OSError as exc:  # the PID never written (full disk) fails once more
                    logger.info("closing %s: %s", self.path, exc)
                self._file = None


#: The staff PIN lockout, kept beside the database so a restart does not reset it.
PIN_LOCKOUT_NAME = "pin-lockout.json"


class PinLockoutFile:
    """The PIN lockout on disk: wrong tries in a row and the lockout's end (wall clock)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / PIN_LOCKOUT_NAME

    def load_into(self, guard: PinGuardLike, now: float) -> None:
        """Give ``guard`` the kept state (``now`` on the guard's clock); a bad file is ignored."""
        import json
        import time

        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            failures = int(data["failures"])
            left = max(0.0, float(data["locked_until_wall"]) - time.time())
        except (OSError, ValueError, KeyError, TypeError):
            return
        guard.failures = max(0, failures)
        guard.locked_until = now + min(left, 3600.0)  # a clock set far ahead locks an hour at most
        if failures:
            logger.warning(
                "staff PIN lockout kept from before the restart: %d wrong, %.0f s left",
                failures,
                left,
            )

    def save(self, guard: PinGuardLike, now: float) -> None:
        """Keep ``guard``'s state (best effort: a full disk must not stop the staff screen)."""
        import json
        import time

        until = time.time() + max(0.0, guard.locked_until - now) if guard.failures else 0.0
        payload = {"failures": guard.failures, "locked_until_wall": until}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            os.chmod(tmp, 0o600)
            tmp.replace(self.path)
        except OSError as exc:
            logger.warning("cannot keep the PIN lockout in %s: %s", self.path, exc)


class PinGuardLike(Protocol):
    """What `PinLockoutFile` reads and sets (`kiosk.flow.staff_menu.PinGuard`)."""

    failures: int
    locked_until: float


def keep_pin_lockout(guard: Any, data_dir: Path, now: float | None = None) -> None:
    """Load the kept lockout into ``guard`` and keep each change of it on disk.

    ``now`` is on the guard's clock (``time.monotonic()``, the kiosk's, by default).
    """
    import time

    store = PinLockoutFile(data_dir)
    store.load_into(guard, time.monotonic() if now is None else now)
    guard.on_change = store.save


class StopSignal:
    """SIGTERM/SIGINT set a flag the UI loop reads, so a shutdown ends the loop cleanly.

    The handler only sets an attribute (no I/O, no logging inside a signal handler); the
    loop then ends the member's session as ``interrupted`` and prints its summary line.
    Installs nest: ``backstep run`` takes the signals over before anything slow (imports,
    the model, the display), so a stop in the first second, or a second one while shutting
    down, is the same flag, never Python's KeyboardInterrupt or the default kill.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        #: how many signals arrived (a second one during shutdown is only counted)
        self.count = 0
        self._previous: dict[int, object] = {}
        self._depth = 0

    def install(self) -> None:
        """Take over SIGTERM and SIGINT (main thread only; elsewhere a no-op); nests."""
        if self._depth:
            self._depth += 1
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous[sig] = signal.signal(sig, self._on_signal)
            except ValueError:  # not the main thread (tests running the app in a thread)
                return
        self._depth = 1

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.count += 1
        if self.received is None:
            self.received = signum

    def restore(self) -> None:
        """Undo one `install`; the last one puts the previous handlers back (idempotent)."""
        if self._depth > 1:
            self._depth -= 1
            return
        self._depth = 0
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()
        self.received = None
        self.count = 0


#: The process's one stop flag (``backstep run`` installs it first thing).
_PROCESS_STOP = StopSignal()


def process_stop_signal() -> StopSignal:
    """The process's stop flag, shared by ``backstep run`` and the kiosk it starts."""
    return _PROCESS_STOP
