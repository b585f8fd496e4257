"""Members, their standing baselines and check-in attempts in the station database."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from kiosk.store.connection import StoreConnection
from kiosk.store.records import CheckinRecord, Member, StoredBaseline

if TYPE_CHECKING:
    from kiosk.store.erasure import ErasureReport


class MemberRecords(StoreConnection):
    """Members, baselines and check-ins (part of :class:`kiosk.store.database.Store`)."""

    # -- members -----------------------------------------------------------------------------

    def upsert_members(
        self, members: Iterable[Member], tick: Callable[[], object] | None = None
    ) -> tuple[int, int]:
        """Add or update members in ONE transaction; return (added, updated).

        ``tick`` is called after each member (a progress bar's update)."""
        rows = list(members)

        def run(conn: sqlite3.Connection) -> tuple[int, int]:
            added = updated = 0
            for m in rows:
                exists = conn.execute("SELECT 1 FROM members WHERE id = ?", (m.id,)).fetchone()
                conn.execute(
                    "INSERT INTO members (id, name, expires, level, birth_year)"
                    " VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                    "expires = excluded.expires, level = excluded.level, "
                    "birth_year = COALESCE(excluded.birth_year, members.birth_year)",
                    (m.id, m.name, m.expires.isoformat(), m.level, m.birth_year),
                )
                if exists:
                    updated += 1
                else:
                    added += 1
                if tick is not None:
                    tick()
            return added, updated

        return self._run_write(run)

    def get_member(self, member_id: str) -> Member | None:
        """The member with this ID, or None."""
        row = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level, birth_year FROM members WHERE id = ?",
                (member_id,),
            ).fetchone()
        )
        return _member(row) if row else None

    def list_members(self) -> list[Member]:
        """All members, by ID."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT id, name, expires, level, birth_year FROM members ORDER BY id"
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

    def erase_member(self, member_id: str) -> ErasureReport | None:
        """`forget_member` made real on disk and checked; None for an unknown member.

        See :func:`kiosk.store.erasure.erase_member`.
        """
        from kiosk.store.erasure import erase_member

        with self._lock:
            return erase_member(self._connection(), self.path, member_id)

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


def printable(text: str) -> str:
    """``text`` with control and formatting characters replaced by "?".

    Rows written before names were checked may hold a NUL byte or ANSI escapes; they are
    cleaned where they leave the database, so no screen or terminal ever gets them.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else "?" for ch in text)


def _member(row: Sequence[Any]) -> Member:
    return Member(
        printable(row[0]), printable(row[1]), dt.date.fromisoformat(row[2]), row[3], row[4]
    )
