"""Login throttling and CSRF tokens for the dashboard's forms."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

CSRF_FIELD = "csrf"
_CSRF_KEY = "csrf"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """This browser session's CSRF token (made on first use, kept in the signed cookie)."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], submitted: object) -> bool:
    """True when a form's CSRF field matches the session's token (constant-time compare)."""
    expected = session.get(_CSRF_KEY)
    return (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected.encode(), submitted.encode())
    )


class LoginThrottle:
    """Locks a name, and separately a client address, after too many failed logins.

    Both keys count: guessing many names from one address and one name from many addresses
    are both stopped. Kept in memory: a restart clears it, which an attacker cannot trigger.
    """

    def __init__(
        self,
        max_failures: int,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.lockout_s:
            q.popleft()
        return q

    def wait_s(self, *keys: str) -> float:
        """Seconds until these keys may try again (0 = now)."""
        now = self._clock()
        with self._lock:
            waits = [
                self.lockout_s - (now - q[-1])
                for q in (self._recent(k, now) for k in keys)
                if len(q) >= self.max_failures
            ]
        return max([0.0, *waits])

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self._clock()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)


def secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: made once, kept in the data directory (mode 0600).

    Kept across restarts so trainers stay logged in; delete the file to log everyone out.
    """
    path = data_dir / "dashboard.secret"
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    tmp.replace(path)
    return key
