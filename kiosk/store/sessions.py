"""Sessions with their samples and events in the station database."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from kiosk.domain import INTERRUPTED
from kiosk.store.connection import StoreConnection
from kiosk.store.records import (
    FINISHED_STATUSES,
    EventRecord,
    Sample,
    SessionRecord,
    SessionStatus,
    read_events,
    read_samples,
    read_sessions,
)

logger = logging.getLogger(__name__)


class SessionRecords(StoreConnection):
    """Sessions, samples and events (part of :class:`kiosk.store.database.Store`)."""

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
                "cadence, posture, speed_kmh, incline_pct, distance_m, stride_m, heart_rate_bpm)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        s.t,
                        s.trunk_lean,
                        s.lateral_lean,
                        s.core_score,
                        s.cadence,
                        s.posture,
                        s.speed_kmh,
                        s.incline_pct,
                        s.distance_m,
                        s.stride_m,
                        s.heart_rate_bpm,
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
                    "UPDATE sessions SET status = :status, ended = started + COALESCE(("
                    " SELECT MAX(t) FROM (SELECT t FROM samples WHERE session_id = :id"
                    " UNION ALL SELECT t FROM events WHERE session_id = :id)), 0)"
                    " WHERE id = :id",
                    {"id": sid, "status": INTERRUPTED},
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
        return self._read(lambda c: read_sessions(c, tail, args))

    def samples(self, session_id: int) -> list[Sample]:
        """A session's samples in time order."""
        return self._read(lambda c: read_samples(c, session_id))

    def events(self, session_id: int) -> list[EventRecord]:
        """A session's events in time order."""
        return self._read(lambda c: read_events(c, session_id))
