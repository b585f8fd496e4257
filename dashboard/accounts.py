"""Trainer accounts: names and argon2id password hashes in the dashboard's own database file.

The accounts live in ``dashboard.sqlite3`` beside the station database, not in it: the
dashboard opens the station database read-only and must never take its write lock from the
kiosk, and on a gym server (fleet database) there is no station file at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.config.schema import StorageConfig
from kiosk.store.connection import resolve_data_dir
from kiosk.store.errors import StorageError

logger = logging.getLogger(__name__)

ACCOUNTS_DB = "dashboard.sqlite3"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,40}$")
MIN_PASSWORD = 10
#: Longer passwords are refused: argon2 would hash them, but the login form never sends them.
MAX_PASSWORD = 1024
#: A login's "last seen" is written at most this often (not on every page view).
_TOUCH_EVERY_S = 30.0
Role = Literal["trainer"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS trainers (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'trainer' CHECK (role IN ('trainer')),
        created REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS logins (
        token_hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS logins_name ON logins(name)"""

# argon2-cffi's defaults (RFC 9106 "low memory" profile: 64 MiB, t=3) would double the
# dashboard's RSS on a Pi at each login; 7 MiB, t=5 is one of the argon2id settings OWASP's
# Password Storage Cheat Sheet lists as equivalent to its 19 MiB, t=2 baseline.
_HASHER = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)
# Verifying an unknown name still costs one hash, so timing does not reveal who exists.
_DUMMY_HASH = _HASHER.hash("not a real password")


@dataclass(frozen=True, slots=True)
class Trainer:
    """A dashboard account (only the read-only trainer role exists)."""

    name: str
    role: Role
    created: float


def _token_hash(token: str) -> str:
    # a copy of the accounts file does not hold usable cookies
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def accounts_path(cfg: StorageConfig) -> Path:
    """Where the accounts database lives for this config."""
    return resolve_data_dir(cfg) / ACCOUNTS_DB


def check_password(password: str) -> None:
    """Raise ValueError when a new password is too weak to protect members' health data."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"the password may have at most {MAX_PASSWORD} characters")
    if password.strip() != password:
        raise ValueError("the password must not start or end with spaces")


class Accounts:
    """Trainer accounts in ``dashboard.sqlite3`` (created on first use).

    One connection shared by the server's worker threads under a lock; the slow part of a
    login (the argon2 hash) runs outside it.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # password hashes: owner-only from the start (SQLite gives -wal/-shm this mode)
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open the trainer accounts {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    def _sql(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[list[Any], int]:
        """Run one statement under the lock: (rows, rows changed)."""
        with self._lock:
            cur = self._conn.execute(sql, args)
            return cur.fetchall(), cur.rowcount

    def add(self, name: str, password: str, role: Role = "trainer") -> Trainer:
        """Create an account; ValueError for a bad name, weak password or existing name."""
        if not NAME_PATTERN.match(name):
            raise ValueError("a trainer name is 1-40 letters, digits or . _ @ -")
        check_password(password)
        created = time.time()
        try:
            self._sql(
                "INSERT INTO trainers (name, password_hash, role, created) VALUES (?, ?, ?, ?)",
                (name, _HASHER.hash(password), role, created),
            )
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"trainer {name!r} exists already (remove it first)") from exc
        return Trainer(name, role, created)

    def remove(self, name: str) -> bool:
        """Delete an account and end its logins; False when there was none."""
        self._sql("DELETE FROM logins WHERE name = ?", (name,))
        return self._sql("DELETE FROM trainers WHERE name = ?", (name,))[1] > 0

    def set_password(self, name: str, password: str) -> None:
        """Give a trainer a new password and end all their logins (ValueError: no such name)."""
        check_password(password)
        if (
            self._sql(
                "UPDATE trainers SET password_hash = ? WHERE name = ?",
                (_HASHER.hash(password), name),
            )[1]
            == 0
        ):
            raise ValueError(f"no trainer {name!r}")
        self._sql("DELETE FROM logins WHERE name = ?", (name,))

    # -- logins (server-side sessions: the cookie holds only a random token) ----------------

    def open_login(self, name: str, now: float | None = None) -> str:
        """Start a login for ``name``; the token goes into the cookie, its hash in here."""
        token = secrets.token_urlsafe(32)
        now = time.time() if now is None else now
        self._sql(
            "INSERT INTO logins (token_hash, name, created, last_seen) VALUES (?, ?, ?, ?)",
            (_token_hash(token), name, now, now),
        )
        return token

    def login_user(self, token: str, idle_s: float, now: float | None = None) -> str | None:
        """The trainer of a live login, or None (ended, idle too long, account removed)."""
        now = time.time() if now is None else now
        key = _token_hash(token)
        rows, _ = self._sql(
            "SELECT l.name, l.last_seen FROM logins l JOIN trainers t ON t.name = l.name"
            " WHERE l.token_hash = ?",
            (key,),
        )
        if not rows:
            return None
        name, last_seen = str(rows[0][0]), float(rows[0][1])
        if now - last_seen > idle_s:
            self.close_login(token)
            return None
        if now - last_seen > _TOUCH_EVERY_S:
            self._sql("UPDATE logins SET last_seen = ? WHERE token_hash = ?", (now, key))
        return name

    def close_login(self, token: str) -> None:
        """End one login (logout)."""
        self._sql("DELETE FROM logins WHERE token_hash = ?", (_token_hash(token),))

    def prune_logins(self, idle_s: float, now: float | None = None) -> int:
        """Forget logins idle for longer than ``idle_s``; return how many."""
        now = time.time() if now is None else now
        return self._sql("DELETE FROM logins WHERE last_seen < ?", (now - idle_s,))[1]

    def list(self) -> list[Trainer]:
        """All accounts, by name."""
        rows, _ = self._sql("SELECT name, role, created FROM trainers ORDER BY name")
        return [Trainer(r[0], r[1], float(r[2])) for r in rows]

    def verify(self, name: str, password: str) -> Trainer | None:
        """The account when the password is right, else None (same cost either way)."""
        rows, _ = self._sql(
            "SELECT name, password_hash, role, created FROM trainers WHERE name = ?", (name,)
        )
        row = rows[0] if rows else None
        try:
            _HASHER.verify(row[1] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _HASHER.check_needs_rehash(row[1]):
            self._sql(
                "UPDATE trainers SET password_hash = ? WHERE name = ?",
                (_HASHER.hash(password), name),
            )
        return Trainer(row[0], row[2], float(row[3]))
