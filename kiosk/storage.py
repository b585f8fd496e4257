"""The station's SQLite database: members, check-ins, sessions, samples, events, baselines."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from kiosk.errors import StorageError
from kiosk.migrations import LATEST_VERSION, migrate, schema_version
from kiosk.records import (
    FINISHED_STATUSES,
    CheckinMethod,
    CheckinRecord,
    EventRecord,
    Member,
    Sample,
    SessionRecord,
    SessionStatus,
    StoredBaseline,
)
from kiosk.settings import StorageConfig

__all__ = [
    "FINISHED_STATUSES",
    "CheckinMethod",
    "CheckinRecord",
    "EventRecord",
    "Member",
    "Sample",
    "SessionRecord",
    "SessionStatus",
    "Store",
    "StoredBaseline",
    "database_path",
    "explain",
    "resolve_data_dir",
]

logger = logging.getLogger(__name__)

DB_NAME = "backstep.sqlite3"
#: Seconds to wait for another writer before calling the database locked.
DEFAULT_TIMEOUT_S = 2.0


T = TypeVar("T")


def resolve_data_dir(cfg: StorageConfig) -> Path:
    """The data directory: the config's, else systemd's ``STATE_DIRECTORY``, else the user's.

    systemd sets ``STATE_DIRECTORY`` (colon-separated when several are configured) for a
    unit with ``StateDirectory=backstep``; it is then ``/var/lib/backstep``.
    """
    if cfg.data_dir is not None:
        return Path(cfg.data_dir).expanduser()
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    from platformdirs import user_data_dir

    return Path(user_data_dir("backstep"))


def database_path(cfg: StorageConfig) -> Path:
    """Where the station database lives for this config."""
    return resolve_data_dir(cfg) / DB_NAME


def explain(exc: BaseException, path: Path) -> str:
    """A one-line, staff-readable cause and remedy for an SQLite or OS failure."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"database {path} is locked by another process (is another backstep running?)"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"database {path} is corrupt or not a Backstep database; move it aside "
            "(a new one is created) and restore a backup if you have one"
        )
    if "full" in text or getattr(exc, "errno", None) == 28:
        return f"the disk holding {path} is full; free space or lower storage.retention_days"
    denied = getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
    if denied or any(w in text for w in ("readonly", "read-only", "permission", "unable to open")):
        return (
            f"cannot write {path}: the data directory is read-only or not ours; "
            "set storage.data_dir or fix its owner/permissions"
        )
    if "newer" in text:
        return str(exc)
    return f"database {path}: {exc}"


class Store:
    """The station database (SQLite in WAL mode, versioned schema).

    Methods raise :class:`StorageError` with a staff-readable message; code in the UI loop
    goes through :class:`SafeStore` or :class:`kiosk.recorder.SessionRecorder`, which never
    raise. One connection is shared by the UI thread and the recorder's writer thread, under
    a lock, so the two never interleave inside a transaction.
    """

    def __init__(self, path: Path | str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch of samples
            # and the migration steps are each exactly one transaction.
            conn = sqlite3.connect(
                self.path, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn = conn
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode})")
            # FULL in WAL mode: each commit is on the card before it returns, so a power cut
            # loses at most the recorder's unflushed seconds. The fsync runs on the
            # recorder's writer thread, not in the UI loop.
            conn.execute("PRAGMA synchronous = FULL")
            with self._write() as c:
                migrate(c)
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._close_quietly()
            raise StorageError(explain(exc, self.path)) from exc

    @classmethod
    def open(cls, cfg: StorageConfig, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Store:
        """Open (create, migrate) the database of this config; does not touch live sessions."""
        return cls(database_path(cfg), timeout_s=timeout_s)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._close_quietly()

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                logger.debug("closing %s failed", self.path, exc_info=True)
            self._conn = None

    @property
    def is_closed(self) -> bool:
        """True after :meth:`close`."""
        return self._conn is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``."""
        return self._read(schema_version)

    # -- transactions ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"database {self.path} is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front."""
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._write() as conn:
                return fn(conn)
        except StorageError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(explain(exc, self.path)) from exc

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._lock:
                return fn(self._connection())
        except StorageError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(explain(exc, self.path)) from exc

    # -- members -----------------------------------------------------------------------------

    def upsert_members(self, members: Iterable[Member]) -> tuple[int, int]:
        """Add or update members in ONE transaction; return (added, updated)."""
        rows = list(members)

        def run(conn: sqlite3.Connection) -> tuple[int, int]:
            added = updated = 0
            for m in rows:
                exists = conn.execute("SELECT 1 FROM members WHERE id = ?", (m.id,)).fetchone()
                conn.execute(
                    "INSERT INTO members (id, name, expires, level) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                    "expires = excluded.expires, level = excluded.level",
                    (m.id, m.name, m.expires.isoformat(), m.level),
                )
                if exists:
                    updated += 1
                else:
                    added += 1
            return added, updated

        return self._run_write(run)

    def get_member(self, member_id: str) -> Member | None:
        """The member with this ID, or None."""
        row = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level FROM members WHERE id = ?", (member_id,)
            ).fetchone()
        )
        return _member(row) if row else None

    def list_members(self) -> list[Member]:
        """All members, by ID."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level FROM members ORDER BY id"
            ).fetchall()
        )
        return [_member(r) for r in rows]

    def forget_member(self, member_id: str) -> bool:
        """Erase a member and everything of theirs; False if they were unknown.

        Sessions, samples, events, check-ins and the baseline go by ``ON DELETE CASCADE``;
        failed attempts that only typed the ID (``claimed_id``) are erased explicitly.
        """

        def run(conn: sqlite3.Connection) -> bool:
            n = conn.execute("DELETE FROM members WHERE id = ?", (member_id,)).rowcount
            conn.execute("DELETE FROM checkins WHERE claimed_id = ?", (member_id,))
            return n > 0

        found = self._run_write(run)
        if found:
            # Deleted pages keep their bytes until reused; a checkpoint + vacuum makes the
            # erasure real on disk, which is what "forget" promises the member.
            self._read(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
            self._read(lambda c: c.execute("VACUUM"))
        return found

    # -- baselines ---------------------------------------------------------------------------

    def save_baseline(self, member_id: str, data: dict[str, Any], captured: float) -> None:
        """Store (replace) a member's standing baseline."""
        payload = json.dumps(data, sort_keys=True)
        self._run_write(
            lambda c: c.execute(
                "INSERT INTO baselines (member_id, captured, data) VALUES (?, ?, ?) "
                "ON CONFLICT(member_id) DO UPDATE SET captured = excluded.captured, "
                "data = excluded.data",
                (member_id, captured, payload),
            )
        )

    def load_baseline(self, member_id: str) -> StoredBaseline | None:
        """A member's stored baseline, or None."""
        row = self._read(
            lambda c: c.execute(
                "SELECT member_id, captured, data FROM baselines WHERE member_id = ?",
                (member_id,),
            ).fetchone()
        )
        if row is None:
            return None
        return StoredBaseline(row[0], float(row[1]), json.loads(row[2]))

    # -- check-ins ---------------------------------------------------------------------------

    def record_checkin(
        self,
        *,
        member_id: str | None,
        claimed_id: str | None,
        t: float,
        station_id: str,
        method: str,
        ok: bool,
        reason: str | None = None,
    ) -> int:
        """Record one check-in attempt; return its row id."""

        def run(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO checkins (member_id, claimed_id, t, station_id, method, ok, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (member_id, claimed_id, t, station_id, method, int(ok), reason),
            )
            return int(cur.lastrowid or 0)

        return self._run_write(run)

    def list_checkins(self, member_id: str | None = None) -> list[CheckinRecord]:
        """Check-in attempts, oldest first (all, or those of/claiming one member)."""
        sql = "SELECT id, member_id, claimed_id, t, station_id, method, ok, reason FROM checkins"
        args: tuple[Any, ...] = ()
        if member_id is not None:
            sql += " WHERE member_id = ? OR claimed_id = ?"
            args = (member_id, member_id)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY t, id", args).fetchall())
        return [
            CheckinRecord(r[0], r[1], r[2], float(r[3]), r[4], r[5], bool(r[6]), r[7]) for r in rows
        ]

    # -- sessions ----------------------------------------------------------------------------

    def start_session(
        self, member_id: str | None, program: str, started: float, station_id: str = ""
    ) -> int:
        """Create an ``active`` session; return its id."""

        def run(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO sessions (member_id, program, station_id, started, status) "
                "VALUES (?, ?, ?, ?, 'active')",
                (member_id, program, station_id, started),
            )
            return int(cur.lastrowid or 0)

        return self._run_write(run)

    def append_session_data(
        self, session_id: int, samples: Sequence[Sample], events: Sequence[EventRecord]
    ) -> None:
        """Append a batch of samples and events in one transaction."""

        def run(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO samples (session_id, t, trunk_lean, lateral_lean, core_score, "
                "cadence, posture) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        s.t,
                        s.trunk_lean,
                        s.lateral_lean,
                        s.core_score,
                        s.cadence,
                        s.posture,
                    )
                    for s in samples
                ],
            )
            conn.executemany(
                "INSERT INTO events (session_id, t, kind, data) VALUES (?, ?, ?, ?)",
                [(session_id, e.t, e.kind, json.dumps(e.data, sort_keys=True)) for e in events],
            )

        if samples or events:
            self._run_write(run)

    def finish_session(
        self,
        session_id: int,
        status: SessionStatus,
        ended: float,
        summary: dict[str, Any] | None,
    ) -> None:
        """Close a session with its final status, end time and summary."""
        if status not in FINISHED_STATUSES:
            raise ValueError(f"a finished session cannot be {status!r}")
        payload = json.dumps(summary, sort_keys=True) if summary is not None else None
        self._run_write(
            lambda c: c.execute(
                "UPDATE sessions SET status = ?, ended = ?, summary = ? WHERE id = ?",
                (status, ended, payload, session_id),
            )
        )

    def recover_interrupted(self) -> list[int]:
        """Close every ``active`` session as ``interrupted``; return their ids.

        Call this once when the kiosk starts (never from a CLI command that may run beside
        a live kiosk). The end time is the session's last sample or event.
        """

        def run(conn: sqlite3.Connection) -> list[int]:
            ids = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE status = 'active'")]
            for sid in ids:
                conn.execute(
                    "UPDATE sessions SET status = 'interrupted', ended = started + COALESCE(("
                    " SELECT MAX(t) FROM (SELECT t FROM samples WHERE session_id = :id"
                    " UNION ALL SELECT t FROM events WHERE session_id = :id)), 0)"
                    " WHERE id = :id",
                    {"id": sid},
                )
            return ids

        ids = self._run_write(run)
        if ids:
            logger.warning("closed %d unfinished session(s) as interrupted: %s", len(ids), ids)
        return ids

    def get_session(self, session_id: int) -> SessionRecord | None:
        """One session, or None."""
        rows = self._sessions("WHERE id = ?", (session_id,))
        return rows[0] if rows else None

    def list_sessions(
        self,
        member_id: str | None = None,
        since: float | None = None,
        statuses: Sequence[str] | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[SessionRecord]:
        """Sessions filtered by member, start time and status, oldest first by default."""
        where: list[str] = []
        args: list[Any] = []
        if member_id is not None:
            where.append("member_id = ?")
            args.append(member_id)
        if since is not None:
            where.append("started >= ?")
            args.append(since)
        if statuses:
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            args.extend(statuses)
        sql = ("WHERE " + " AND ".join(where)) if where else ""
        sql += " ORDER BY started DESC, id DESC" if newest_first else " ORDER BY started, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._sessions(sql, tuple(args))

    def _sessions(self, tail: str, args: tuple[Any, ...]) -> list[SessionRecord]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT id, member_id, program, station_id, started, ended, status, summary "
                f"FROM sessions {tail}",
                args,
            ).fetchall()
        )
        return [
            SessionRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                float(r[4]),
                None if r[5] is None else float(r[5]),
                r[6],
                None if r[7] is None else json.loads(r[7]),
            )
            for r in rows
        ]

    def samples(self, session_id: int) -> list[Sample]:
        """A session's samples in time order."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT t, trunk_lean, lateral_lean, core_score, cadence, posture FROM samples "
                "WHERE session_id = ? ORDER BY t",
                (session_id,),
            ).fetchall()
        )
        return [Sample(*r) for r in rows]

    def events(self, session_id: int) -> list[EventRecord]:
        """A session's events in time order."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT t, kind, data FROM events WHERE session_id = ? ORDER BY t, rowid",
                (session_id,),
            ).fetchall()
        )
        return [EventRecord(float(r[0]), r[1], json.loads(r[2])) for r in rows]

    def count_rows(self, table: str) -> int:
        """Rows in one of our tables (for tests, the doctor and the staff screen)."""
        if table not in {"members", "checkins", "sessions", "samples", "events", "baselines"}:
            raise ValueError(f"unknown table {table!r}")
        return int(self._read(lambda c: c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]))

    # -- retention ---------------------------------------------------------------------------

    def apply_retention(self, now: float, retention_days: int) -> int:
        """Delete samples of sessions started more than ``retention_days`` ago; return count.

        Summaries and events stay: they are small and the trainer's history needs them.
        """
        cutoff = now - retention_days * 86400.0
        n = self._run_write(
            lambda c: (
                c.execute(
                    "DELETE FROM samples WHERE session_id IN "
                    "(SELECT id FROM sessions WHERE started < ? AND status != 'active')",
                    (cutoff,),
                ).rowcount
            )
        )
        if n:
            logger.info("retention: deleted %d samples older than %d days", n, retention_days)
        return int(n)

    # -- health ------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems with the open database as staff-readable lines (empty = healthy)."""
        problems: list[str] = []
        try:
            result = self._read(lambda c: c.execute("PRAGMA quick_check").fetchall())
            if [r[0] for r in result] != ["ok"]:
                problems.append(f"database {self.path} failed its integrity check: {result[0][0]}")
            version = self.schema_version
            if version != LATEST_VERSION:
                problems.append(f"database schema is version {version}, expected {LATEST_VERSION}")
            # A write probe: an empty write transaction takes the lock and hits a read-only file.
            self._run_write(lambda c: c.execute("DELETE FROM members WHERE 0"))
        except StorageError as exc:
            problems.append(str(exc))
        return problems


def _member(row: Sequence[Any]) -> Member:
    return Member(row[0], row[1], dt.date.fromisoformat(row[2]), row[3])
