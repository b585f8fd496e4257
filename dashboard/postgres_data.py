"""The fleet's central PostgreSQL, read-only, for the dashboard on the gym server.

Session IDs: the central key is a UUID; the pages and CSVs keep the integer IDs the station
database uses, so a PostgreSQL session's ID is its UUID as a 128-bit integer (``uuid.int``):
exact, reversible, no collisions, and ``/sessions/{id}`` still takes an integer.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from dashboard.data import FINISHED, SessionFacts, facts_from_record
from dashboard.machine import samples_of, samples_select
from kiosk.config.schema import FleetConfig
from kiosk.fleet.central import FleetError, connect, explain
from kiosk.store.errors import StorageError
from kiosk.store.records import EventRecord, Member, Sample, SessionRecord, StoredBaseline

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: No dashboard query may hold the server longer than this (the kiosks' uploads come first).
STATEMENT_TIMEOUT_MS = 5000

_SESSION = (
    "SELECT uuid, member_id, program, station_id, extract(epoch FROM started),"
    " extract(epoch FROM ended), status, summary FROM sessions"
)
# Each member's newest N sessions plus all since a time, in one query (no query per member);
# the window runs on the (member_id, started DESC) index.
_RECENT = (
    "SELECT uuid, member_id, program, station_id, extract(epoch FROM started),"
    " extract(epoch FROM ended), status, summary FROM ("
    " SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY started DESC, uuid DESC)"
    " AS rn FROM sessions WHERE member_id IS NOT NULL) AS s"
    " WHERE (rn <= %s OR started >= to_timestamp(%s)) AND status = ANY(%s)"
    " ORDER BY started, uuid"
)


def session_key(session_uuid: uuid.UUID | str) -> int:
    """The dashboard's integer ID of a central session (its UUID as an integer)."""
    return (session_uuid if isinstance(session_uuid, uuid.UUID) else uuid.UUID(session_uuid)).int


def session_uuid(session_id: int) -> uuid.UUID | None:
    """The central UUID of a dashboard session ID, or None when no UUID has that number."""
    if not 0 <= session_id < 1 << 128:
        return None
    return uuid.UUID(int=session_id)


def _seconds(v: Any) -> float | None:
    return None if v is None else float(v)


def _record(r: tuple[Any, ...]) -> SessionRecord:
    return SessionRecord(
        session_key(r[0]), r[1], r[2], r[3], float(r[4]), _seconds(r[5]), r[6], r[7]
    )


class PostgresData:
    """:class:`dashboard.data.DashboardData` over the fleet's central database.

    One connection (autocommit, so no transaction stays open between pages) with
    ``default_transaction_read_only`` on and a short ``statement_timeout``, shared by the
    worker threads under a lock. A connection lost with the server is re-opened at the
    next page. Log in with a role of the ``backstep_dashboard`` group (SELECT only).
    """

    def __init__(self, cfg: FleetConfig, *, url: str | None = None) -> None:
        self.cfg = cfg
        self._url = url
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        with self._lock:
            self._connection()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            conn = connect(self.cfg, url=self._url)
            try:
                conn.execute("SET default_transaction_read_only = on")
                conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
                conn.execute("SET application_name = 'backstep-dashboard'")
            except Exception:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _read(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        import psycopg

        with self._lock:
            if self._closed:
                raise StorageError("the fleet database connection is closed")
            try:
                conn = self._connection()
                with conn.transaction():
                    return fn(conn)
            except FleetError as exc:
                raise StorageError(str(exc)) from exc
            except psycopg.Error as exc:
                if self._conn is not None and self._conn.closed:
                    self._conn = None  # the server went away: connect afresh next time
                raise StorageError(f"fleet database: {explain(exc)}") from exc

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._read(lambda c: c.execute(sql.encode(), args or None).fetchall())

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- members -------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Every member, by ID."""
        rows = self._rows("SELECT id, name, expires, level FROM members ORDER BY id")
        return [Member(*r) for r in rows]

    def member(self, member_id: str) -> Member | None:
        """One member, or None."""
        rows = self._rows(
            "SELECT id, name, expires, level FROM members WHERE id = %s", (member_id,)
        )
        return Member(*rows[0]) if rows else None

    def baseline(self, member_id: str) -> StoredBaseline | None:
        """A member's standing baseline (the newest capture of any station), or None."""
        rows = self._rows(
            "SELECT member_id, extract(epoch FROM captured), data FROM baselines"
            " WHERE member_id = %s",
            (member_id,),
        )
        return StoredBaseline(rows[0][0], float(rows[0][1]), rows[0][2]) if rows else None

    # -- sessions ------------------------------------------------------------------------

    def session_facts(self, member_id: str | None = None) -> list[SessionFacts]:
        """Finished sessions of members (all, or one member's), oldest first, as numbers."""
        where = "member_id IS NOT NULL" if member_id is None else "member_id = %s"
        args = () if member_id is None else (member_id,)
        return [facts_from_record(s) for s in self._sessions(where, args)]

    def recent_facts(self, newest: int, since: float) -> list[SessionFacts]:
        """Each member's ``newest`` sessions and every session since ``since``, oldest first."""
        rows = self._rows(_RECENT, (newest, since, list(FINISHED)))
        return [facts_from_record(_record(r)) for r in rows]

    def sessions(self, member_id: str | None = None) -> list[SessionRecord]:
        """Finished sessions with their summaries, oldest first (guests' too, as SQLite's)."""
        if member_id is None:
            return self._sessions("TRUE", ())
        return self._sessions("member_id = %s", (member_id,))

    def _sessions(self, where: str, args: tuple[Any, ...]) -> list[SessionRecord]:
        sql = f"{_SESSION} WHERE {where} AND status = ANY(%s) ORDER BY started, uuid"
        return [_record(r) for r in self._rows(sql, (*args, list(FINISHED)))]

    def session(self, session_id: int) -> SessionRecord | None:
        """One session, or None."""
        key = session_uuid(session_id)
        if key is None:
            return None
        rows = self._rows(f"{_SESSION} WHERE uuid = %s", (key,))
        return _record(rows[0]) if rows else None

    def samples(self, session_id: int) -> list[Sample]:
        """A session's samples in time order, with the treadmill's and the strap's values
        where the server has their columns (a fleet database from before them has not)."""
        key = session_uuid(session_id)
        if key is None:
            return []
        have = {
            r[0]
            for r in self._rows(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'samples'"
            )
        }
        select, machine = samples_select(have)
        rows = self._rows(f"{select} WHERE session_uuid = %s ORDER BY t, seq", (key,))
        return samples_of(rows, machine)

    def events(self, session_id: int) -> list[EventRecord]:
        """A session's events in time order (steps left out, as the SQLite reader does)."""
        key = session_uuid(session_id)
        if key is None:
            return []
        rows = self._rows(
            "SELECT t, kind, data FROM events WHERE session_uuid = %s AND kind != 'step'"
            " ORDER BY t, seq",
            (key,),
        )
        return [EventRecord(float(r[0]), r[1], dict(r[2] or {})) for r in rows]
