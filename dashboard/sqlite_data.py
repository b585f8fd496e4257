"""The station's SQLite database, opened read-only so the dashboard never slows the kiosk."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote

from dashboard.data import FINISHED, SessionFacts
from dashboard.machine import samples_of, samples_select
from kiosk.domain import FINISHED_STATUSES, sql_in
from kiosk.store.errors import StorageError
from kiosk.store.records import (
    EventRecord,
    Member,
    Sample,
    SessionRecord,
    StoredBaseline,
    read_events,
    read_sessions,
)

T = TypeVar("T")

#: SQLite row ids are signed 64-bit: a longer number in a URL would raise OverflowError.
_MAX_ROWID = 2**63 - 1

_IN_FINISHED = f"status IN {sql_in(FINISHED_STATUSES)}"
_FACTS = (
    "SELECT id, member_id, started, status,"
    " json_extract(summary, '$.backward_minutes'),"
    " json_extract(summary, '$.planned_backward_minutes'),"
    " json_extract(summary, '$.upright_share'),"
    " json_extract(summary, '$.average_core_score'),"
    " json_extract(summary, '$.average_trunk_lean_deg'),"
    " json_extract(summary, '$.average_cadence_spm'),"
    " json_extract(summary, '$.incline_percent'),"
    " json_extract(summary, '$.intervals'),"
    " (SELECT COALESCE(SUM(value), 0) FROM json_each(summary, '$.safety')),"
    " json_extract(summary, '$.fault_total')"
)
_MEMBER_SESSIONS = f"sessions WHERE member_id IS NOT NULL AND {_IN_FINISHED}"
# Each member's newest N sessions plus all since a time; the rest are never read. The window
# runs on the (member_id, started) index alone (status is not in it: filtering on status there
# reads every row and is ten times slower), so a live session may take one of the N places.
_RECENT = (
    "sessions WHERE id IN (SELECT id FROM (SELECT id, started, ROW_NUMBER() OVER"
    " (PARTITION BY member_id ORDER BY started DESC, id DESC) AS rn"
    " FROM sessions WHERE member_id IS NOT NULL) WHERE rn <= ? OR started >= ?)"
    # unary + keeps the planner off the status index: the id list drives this query
    f" AND +status IN {sql_in(FINISHED_STATUSES)}"
)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


class SqliteData:
    """:class:`dashboard.data.DashboardData` over the station database file.

    The file is opened with ``mode=ro``: SQLite refuses every write, the schema is never
    migrated from here, and in WAL mode our readers never block the kiosk's writer (nor it
    us). Each query is its own short read transaction, so the kiosk's checkpoints are not
    held back. One connection serves the worker threads under a lock: a trainer or two at
    a time do not need more.
    """

    def __init__(self, path: Path | str, *, timeout_s: float = 2.0) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StorageError(
                f"no station database at {self.path} yet: start the kiosk once "
                "(or set storage.data_dir to where it keeps its data)"
            )
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                uri, uri=True, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA query_only = ON")
            self._conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the station database {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._conn is None:
                raise StorageError(f"database {self.path} is closed")
            try:
                return fn(self._conn)
            except sqlite3.Error as exc:
                raise StorageError(f"reading {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- members -------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Every member, by ID."""
        import datetime as dt

        rows = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level FROM members ORDER BY id"
            ).fetchall()
        )
        return [Member(r[0], r[1], dt.date.fromisoformat(r[2]), r[3]) for r in rows]

    def member(self, member_id: str) -> Member | None:
        """One member, or None."""
        import datetime as dt

        row = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level FROM members WHERE id = ?", (member_id,)
            ).fetchone()
        )
        return Member(row[0], row[1], dt.date.fromisoformat(row[2]), row[3]) if row else None

    def baseline(self, member_id: str) -> StoredBaseline | None:
        """A member's standing baseline, or None."""
        row = self._read(
            lambda c: c.execute(
                "SELECT member_id, captured, data FROM baselines WHERE member_id = ?",
                (member_id,),
            ).fetchone()
        )
        return StoredBaseline(row[0], float(row[1]), json.loads(row[2])) if row else None

    # -- sessions ------------------------------------------------------------------------

    def session_facts(self, member_id: str | None = None) -> list[SessionFacts]:
        """Finished sessions as numbers, read from the summaries inside SQLite (json_extract)."""
        sql, args = f"{_FACTS} FROM {_MEMBER_SESSIONS}", cast(tuple[Any, ...], ())
        if member_id is not None:
            sql, args = sql + " AND member_id = ?", (member_id,)
        return self._facts(sql, args)

    def recent_facts(self, newest: int, since: float) -> list[SessionFacts]:
        """Each member's ``newest`` sessions and every session since ``since``, oldest first."""
        # one more: a live session may hold one of the newest places
        return self._facts(f"{_FACTS} FROM {_RECENT}", (newest + 1, since))

    def _facts(self, sql: str, args: tuple[Any, ...]) -> list[SessionFacts]:
        rows = self._read(lambda c: c.execute(sql + " ORDER BY started, id", args).fetchall())
        return [
            SessionFacts(
                id=r[0],
                member_id=r[1],
                started=float(r[2]),
                status=r[3],
                backward_minutes=_num(r[4]),
                planned_minutes=_num(r[5]),
                upright_share=_num(r[6]),
                core_score=_num(r[7]),
                trunk_lean_deg=_num(r[8]),
                cadence_spm=_num(r[9]),
                incline_percent=_num(r[10]),
                intervals=bool(r[11]),
                safety_events=int(r[12] or 0),
                fault_total=int(r[13] or 0),
            )
            for r in rows
        ]

    def sessions(self, member_id: str | None = None) -> list[SessionRecord]:
        """Finished sessions with their summaries, oldest first."""
        where = f"WHERE status IN ({', '.join('?' for _ in FINISHED)})"
        args: tuple[Any, ...] = FINISHED
        if member_id is not None:
            where, args = where + " AND member_id = ?", (*args, member_id)
        return self._sessions(where + " ORDER BY started, id", args)

    def session(self, session_id: int) -> SessionRecord | None:
        """One session, or None (also for a number beyond SQLite's 64-bit keys)."""
        if not 0 <= session_id <= _MAX_ROWID:
            return None
        rows = self._sessions("WHERE id = ?", (session_id,))
        return rows[0] if rows else None

    def _sessions(self, tail: str, args: tuple[Any, ...]) -> list[SessionRecord]:
        return self._read(lambda c: read_sessions(c, tail, args))

    def samples(self, session_id: int) -> list[Sample]:
        """A session's samples in time order."""
        if not 0 <= session_id <= _MAX_ROWID:
            return []

        def read(c: sqlite3.Connection) -> list[Sample]:
            # the machine columns this database has (one the kiosk has not migrated yet is
            # never migrated from here), read as numbers only: SQLite keeps text in a REAL
            # column. The column names come from MACHINE_COLUMNS, never from the request.
            have = {r[1] for r in c.execute("PRAGMA table_info(samples)")}
            select, machine = samples_select(have)
            rows = c.execute(f"{select} WHERE session_id = ? ORDER BY t", (session_id,))
            return samples_of(rows, machine)

        return self._read(read)

    def events(self, session_id: int) -> list[EventRecord]:
        """A session's events in time order (steps left out: one per stride is noise here)."""
        if not 0 <= session_id <= _MAX_ROWID:
            return []
        return self._read(lambda c: read_events(c, session_id, steps=False))
