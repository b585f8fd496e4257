"""systemd readiness and watchdog notifications (the sd_notify protocol) for Type=notify units.

The protocol is one datagram of ``KEY=VALUE`` lines sent to the unix socket named by
``$NOTIFY_SOCKET`` (a leading ``@`` means the abstract namespace). It is implemented here in a
few lines on purpose: ``sdnotify`` on PyPI is an unmaintained sdist and ``systemd-python``
needs a C compiler and libsystemd headers on the Pi, both heavier than the protocol itself.
Outside systemd (no ``NOTIFY_SOCKET``) every call is a cheap no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

logger = logging.getLogger(__name__)


class Notifier:
    """Sends READY/WATCHDOG/STATUS/STOPPING to systemd; does nothing when not under systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # "@name" is Linux's abstract namespace, spelled with a leading NUL byte in the API.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._watchdog_usec = _watchdog_usec(env)
        self._socket: socket.socket | None = None
        self._last_ping: float | None = None
        self._warned = False

    @property
    def is_enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return bool(self._address)

    def notify(self, state: str) -> bool:
        """Send one raw state string (``"READY=1"``); False when disabled or the send failed."""
        if not self._address:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            self._socket.sendto(state.encode("utf-8"), self._address)
        except OSError as exc:
            # A failing notify must never take the kiosk down; say it once, not every frame.
            if not self._warned:
                logger.warning("sd_notify to %r failed: %s", self._address, exc)
                self._warned = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """Tell systemd start-up is complete (camera and model are up)."""
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> bool:
        """A one-line status shown by ``systemctl status backstep``."""
        return self.notify(f"STATUS={text.splitlines()[0] if text else ''}")

    def reloading(self) -> bool:
        """Tell systemd a configuration reload has started (send `ready` when it is done)."""
        return self.notify(f"RELOADING=1\nMONOTONIC_USEC={time.monotonic_ns() // 1000}")

    def stopping(self) -> bool:
        """Tell systemd the kiosk is shutting down on purpose."""
        return self.notify("STOPPING=1")

    def watchdog(self) -> bool:
        """Ping the watchdog now."""
        self._last_ping = time.monotonic()
        return self.notify("WATCHDOG=1")

    def watchdog_interval(self) -> float | None:
        """Seconds between pings (half of ``WatchdogSec``), or None when no watchdog is armed."""
        return None if self._watchdog_usec is None else self._watchdog_usec / 2e6

    def keepalive(self) -> bool:
        """Ping the watchdog if half its interval has passed; cheap enough for every UI frame."""
        interval = self.watchdog_interval()
        if interval is None or not self._address:
            return False
        if self._last_ping is not None and time.monotonic() - self._last_ping < interval:
            return False
        return self.watchdog()

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    # WATCHDOG_PID names the process the watchdog is meant for; a child must not ping it.
    pid = env.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec
