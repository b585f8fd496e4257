"""Login throttling, bounded login forms and CSRF tokens for the dashboard's forms."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

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


#: Longest trainer name the login form looks at (account names are at most 40 characters).
MAX_NAME_CHARS = 64
#: Longest password the login form hashes (``trainers add`` refuses longer ones).
MAX_PASSWORD_CHARS = 1024
#: A login or logout form is a few short fields: a bigger body is refused unread.
MAX_FORM_BYTES = 4096
#: Distinct (name, address) and address keys the throttle remembers; the oldest go first.
MAX_THROTTLE_KEYS = 4096


async def read_small_form(request: Request, limit: int = MAX_FORM_BYTES) -> dict[str, str] | None:
    """The url-encoded form of a POST, or None when its body is over ``limit`` bytes.

    Starlette's ``request.form()`` reads any body whole; an anonymous client could post a
    megabyte-long "username" to the login page. The declared length is checked first, then
    the stream is read only up to the limit (a chunked body has no declared length).
    """
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    pairs = parse_qsl(bytes(body).decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v for k, v in pairs[:16]}


def log_name(name: str) -> str:
    """A login name as the log shows it: short names as typed, long ones cut with a hash."""
    if len(name) <= 24 and name.isprintable():
        return repr(name)
    digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:12]
    return (
        f"{name[:16].encode('unicode_escape').decode('ascii')!r}... ({len(name)} chars, {digest})"
    )


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class LoginThrottle:
    """A growing delay per key after repeated failed logins, in a bounded table.

    The login counts against (name, client address) and against the address: a trainer's own
    machine is not slowed by someone guessing their name from another, and guessing many
    names from one address is still slowed. After ``max_failures`` failures a key waits
    ``base_s``, doubling with each further failure up to ``lockout_s``. At most ``max_keys``
    keys are kept (least recently failed first out), so a flood of names cannot grow it.
    """

    def __init__(
        self,
        max_failures: int,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        base_s: float = 2.0,
        max_keys: int = MAX_THROTTLE_KEYS,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.base_s = min(base_s, lockout_s)
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def _delay_s(self, count: int) -> float:
        over = count - self.max_failures
        if over < 0:
            return 0.0
        return min(self.lockout_s, self.base_s * 2.0 ** min(over, 32))

    def wait_s(self, *keys: str) -> float:
        """Seconds until these keys may try again (0 = now)."""
        now = self._clock()
        waits = [0.0]
        with self._lock:
            for k in keys:
                f = self._failures.get(k)
                if f is None:
                    continue
                if now - f.last > self.lockout_s:  # quiet for the longest wait: forgiven
                    del self._failures[k]
                    continue
                waits.append(self._delay_s(f.count) - (now - f.last))
        return max(waits)

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self._clock()
        with self._lock:
            for k in keys:
                f = self._failures.pop(k, None)
                if f is None or now - f.last > self.lockout_s:
                    f = _Failures(0, now)
                f.count, f.last = f.count + 1, now
                self._failures[k] = f  # most recent last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

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
