"""The station database as the fleet's outbox and cache: rows waiting for upload, rows pulled down.

Only :mod:`kiosk.fleet` uses these; the rest of the kiosk keeps writing sessions, check-ins
and baselines as before, and the migration's triggers give each row its UUID and put it in
the outbox (``synced_at IS NULL``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.store.connection import StoreConnection
from kiosk.store.records import Member


@dataclass(frozen=True, slots=True)
class OutboxSession:
    """A finished session waiting for upload, with all its samples and events."""

    local_id: int
    uuid: str
    member_id: str | None
    program: str
    station_id: str
    started: float
    ended: float | None
    status: str
    summary: str | None  # JSON text, as stored
    #: (t, trunk_lean, lateral_lean, core_score, cadence, posture, speed_kmh, incline_pct,
    #: distance_m, stride_m, heart_rate_bpm)
    samples: list[tuple[Any, ...]]
    events: list[tuple[float, str, str]]  # (t, kind, data JSON)


@dataclass(frozen=True, slots=True)
class OutboxCheckin:
    """A check-in attempt waiting for upload."""

    local_id: int
    uuid: str
    member_id: str | None
    claimed_id: str | None
    t: float
    station_id: str
    method: str
    ok: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class OutboxBaseline:
    """A member's standing baseline waiting for upload (``data`` is JSON text)."""

    member_id: str
    captured: float
    data: str


@dataclass(frozen=True, slots=True)
class RemoteSession:
    """A finished session of this member recorded at another station (for history)."""

    uuid: str
    member_id: str
    program: str
    station_id: str
    started: float
    ended: float | None
    status: str
    summary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """Rows waiting for upload, per kind."""

    sessions: int
    checkins: int
    baselines: int

    @property
    def total(self) -> int:
        """All rows waiting."""
        return self.sessions + self.checkins + self.baselines


class OutboxRecords(StoreConnection):
    """Outbox reads, acknowledgements and the pulled-down cache (part of ``Store``)."""

    # -- rows waiting ------------------------------------------------------------------------

    def outbox_counts(self) -> OutboxCounts:
        """Rows waiting for upload (an active session is not counted: it uploads when it ends)."""

        def run(c: sqlite3.Connection) -> OutboxCounts:
            s = c.execute(
                "SELECT COUNT(*) FROM sessions WHERE synced_at IS NULL AND status != 'active'"
            ).fetchone()[0]
            k = c.execute("SELECT COUNT(*) FROM checkins WHERE synced_at IS NULL").fetchone()[0]
            b = c.execute("SELECT COUNT(*) FROM baselines WHERE synced_at IS NULL").fetchone()[0]
            return OutboxCounts(int(s), int(k), int(b))

        return self._read(run)

    def pending_sessions(self, limit: int) -> list[OutboxSession]:
        """Up to ``limit`` finished sessions not yet uploaded, oldest first, with their rows."""

        def run(c: sqlite3.Connection) -> list[OutboxSession]:
            rows = c.execute(
                "SELECT id, uuid, member_id, program, station_id, started, ended, status, summary"
                " FROM sessions WHERE synced_at IS NULL AND status != 'active'"
                " ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
            out = []
            for r in rows:
                samples = c.execute(
                    "SELECT t, trunk_lean, lateral_lean, core_score, cadence, posture,"
                    " speed_kmh, incline_pct, distance_m, stride_m, heart_rate_bpm"
                    " FROM samples WHERE session_id = ? ORDER BY t, rowid",
                    (r[0],),
                ).fetchall()
                events = c.execute(
                    "SELECT t, kind, data FROM events WHERE session_id = ? ORDER BY t, rowid",
                    (r[0],),
                ).fetchall()
                out.append(
                    OutboxSession(
                        local_id=r[0],
                        uuid=r[1],
                        member_id=r[2],
                        program=r[3],
                        station_id=r[4],
                        started=float(r[5]),
                        ended=None if r[6] is None else float(r[6]),
                        status=r[7],
                        summary=r[8],
                        samples=samples,
                        events=events,
                    )
                )
            return out

        return self._read(run)

    def pending_checkins(self, limit: int) -> list[OutboxCheckin]:
        """Up to ``limit`` check-in attempts not yet uploaded, oldest first."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT id, uuid, member_id, claimed_id, t, station_id, method, ok, reason"
                " FROM checkins WHERE synced_at IS NULL ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        )
        return [
            OutboxCheckin(r[0], r[1], r[2], r[3], float(r[4]), r[5], r[6], bool(r[7]), r[8])
            for r in rows
        ]

    def pending_baselines(self) -> list[OutboxBaseline]:
        """Baselines captured here and not yet uploaded."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT member_id, captured, data FROM baselines WHERE synced_at IS NULL"
            ).fetchall()
        )
        return [OutboxBaseline(r[0], float(r[1]), r[2]) for r in rows]

    def mark_synced(
        self,
        *,
        sessions: Sequence[OutboxSession] = (),
        checkins: Sequence[int] = (),
        baselines: Sequence[OutboxBaseline] = (),
        at: float,
    ) -> None:
        """Take acknowledged rows out of the outbox (one transaction).

        A session or baseline changed since it was read (``ended``/``captured`` differs)
        stays in the outbox, so the newer version is uploaded next time.
        """

        def run(c: sqlite3.Connection) -> None:
            c.executemany(
                "UPDATE sessions SET synced_at = ? WHERE id = ? AND status = ?"
                " AND ended IS ? AND summary IS ?",
                [(at, s.local_id, s.status, s.ended, s.summary) for s in sessions],
            )
            c.executemany(
                "UPDATE checkins SET synced_at = ? WHERE id = ?", [(at, i) for i in checkins]
            )
            c.executemany(
                "UPDATE baselines SET synced_at = ? WHERE member_id = ? AND captured = ?",
                [(at, b.member_id, b.captured) for b in baselines],
            )

        self._run_write(run)

    # -- pulled down -------------------------------------------------------------------------

    def local_member_ids(self) -> set[str]:
        """Every member ID in this station's list."""
        return {r[0] for r in self._read(lambda c: c.execute("SELECT id FROM members").fetchall())}

    def claimed_ids(self) -> set[str]:
        """Every ID typed at a check-in here (members or not): what a central forget must reach."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT DISTINCT claimed_id FROM checkins WHERE claimed_id IS NOT NULL"
            ).fetchall()
        )
        return {r[0] for r in rows}

    def merge_members(self, members: Iterable[Member]) -> int:
        """Upsert the central member list into the local one; return how many rows changed.

        Members missing from the central list are *not* deleted here: only a central
        "forget" (a tombstone) erases a member's data, so a member dropped by mistake from
        an import keeps their history.
        """
        rows = [(m.id, m.name, m.expires.isoformat(), m.level, m.birth_year) for m in members]

        def run(c: sqlite3.Connection) -> int:
            # a birth year the server does not know yet keeps the station's (never required)
            cur = c.executemany(
                "INSERT INTO members (id, name, expires, level, birth_year) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                "expires = excluded.expires, level = excluded.level, "
                "birth_year = COALESCE(excluded.birth_year, members.birth_year) "
                "WHERE name != excluded.name OR expires != excluded.expires "
                "OR level IS NOT excluded.level "
                "OR (excluded.birth_year IS NOT NULL AND birth_year IS NOT excluded.birth_year)",
                rows,
            )
            return int(cur.rowcount)

        return self._run_write(run)

    def cache_baseline(
        self, member_id: str, captured: float, data: dict[str, Any], at: float
    ) -> bool:
        """Keep the central baseline when it is newer than ours; True if it replaced ours."""
        payload = json.dumps(data, sort_keys=True)

        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT INTO baselines (member_id, captured, data, synced_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(member_id) DO UPDATE SET captured = excluded.captured,"
                " data = excluded.data, synced_at = excluded.synced_at"
                " WHERE excluded.captured > baselines.captured",
                (member_id, captured, payload, at),
            )
            return cur.rowcount > 0

        return self._run_write(run)

    def cache_sessions(self, sessions: Sequence[RemoteSession], at: float) -> int:
        """Keep other stations' finished sessions as history (already synced); return added."""

        def run(c: sqlite3.Connection) -> int:
            added = 0
            for s in sessions:
                cur = c.execute(
                    "INSERT INTO sessions (uuid, member_id, program, station_id, started, ended,"
                    " status, summary, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(uuid) DO NOTHING",
                    (
                        s.uuid,
                        s.member_id,
                        s.program,
                        s.station_id,
                        s.started,
                        s.ended,
                        s.status,
                        None if s.summary is None else json.dumps(s.summary, sort_keys=True),
                        at,
                    ),
                )
                added += cur.rowcount
            return added

        return self._run_write(run)

    # -- sync facts --------------------------------------------------------------------------

    def fleet_fact(self, key: str) -> str | None:
        """One stored fact of the sync (e.g. ``last_sync``), or None."""
        row = self._read(
            lambda c: c.execute("SELECT value FROM fleet_state WHERE key = ?", (key,)).fetchone()
        )
        return None if row is None else str(row[0])

    def set_fleet_facts(self, facts: dict[str, str]) -> None:
        """Store facts of the sync (one transaction)."""
        self._run_write(
            lambda c: c.executemany(
                "INSERT INTO fleet_state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(facts.items()),
            )
        )


def member_from_row(row: Sequence[Any]) -> Member:
    """A :class:`Member` from (id, name, expires date or ISO text, level[, birth year])."""
    expires = row[2] if isinstance(row[2], dt.date) else dt.date.fromisoformat(row[2])
    return Member(row[0], row[1], expires, row[3], row[4] if len(row) > 4 else None)
