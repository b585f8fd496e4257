"""Trainer accounts: names and argon2id password hashes in the dashboard's own database file.

The accounts live in ``dashboard.sqlite3`` beside the station database, not in it: the
dashboard opens the station database read-only and must never take its write lock from the
kiosk, and on a gym server (fleet database) there is no station file at all.
"""

from __future__ import annotations

import logging
import re
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
Role = Literal["trainer"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS trainers (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'trainer' CHECK (role IN ('trainer')),
        created REAL NOT NULL
    )"""

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


def accounts_path(cfg: StorageConfig) -> Path:
    """Where the accounts database lives for this config."""
    return resolve_data_dir(cfg) / ACCOUNTS_DB


def check_password(password: str) -> None:
    """Raise ValueError when a new password is too weak to protect members' health data."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
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
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(_SCHEMA)
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
        """Delete an account; False when there was none."""
        return self._sql("DELETE FROM trainers WHERE name = ?", (name,))[1] > 0

    def exists(self, name: str) -> bool:
        """True when the account is there (a removed trainer's cookie stops working)."""
        return bool(self._sql("SELECT 1 FROM trainers WHERE name = ?", (name,))[0])

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
