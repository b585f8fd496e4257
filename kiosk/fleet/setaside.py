"""Rows the server refused: set aside locally (never deleted) so the rest of the outbox goes on.

A row the central database refuses for what it holds (row-level security, a CHECK, a
capture time in the future) would fail its whole batch on every pass and jam the outbox.
Instead it is retried alone, and if the server still refuses it, it is set aside: its
``synced_at`` becomes :data:`SET_ASIDE` (so the outbox queries, which wait for ``NULL``,
pass over it) and ``fleet_set_aside`` records what and why. The row itself stays in the
station database with all its samples. ``backstep fleet set-aside`` lists them; ``retry``
puts them back into the outbox (after the cause is fixed), ``discard`` stops reporting one
while still keeping it locally (docs/fleet-security.md).

The table is the fleet's own bookkeeping in the station database, created on first use.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kiosk.store.database import Store

logger = logging.getLogger(__name__)

#: ``synced_at`` of a set-aside row: not NULL (not waiting), not a real upload time.
SET_ASIDE = -1.0

Kind = Literal["session", "checkin", "baseline", "member"]
KINDS: tuple[Kind, ...] = ("session", "checkin", "baseline", "member")

_TABLE = """CREATE TABLE IF NOT EXISTS fleet_set_aside (
    kind TEXT NOT NULL CHECK (kind IN ('session', 'checkin', 'baseline', 'member')),
    ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    at REAL NOT NULL,
    discarded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, ref)
)"""

#: Which local row a reference names, per kind (members are not in the outbox: no mark).
_MARK = {
    "session": "UPDATE sessions SET synced_at = ? WHERE uuid = ?",
    "checkin": "UPDATE checkins SET synced_at = ? WHERE uuid = ?",
    "baseline": "UPDATE baselines SET synced_at = ? WHERE member_id = ?",
}
_UNMARK = {
    "session": f"UPDATE sessions SET synced_at = NULL WHERE uuid = ? AND synced_at = {SET_ASIDE}",
    "checkin": f"UPDATE checkins SET synced_at = NULL WHERE uuid = ? AND synced_at = {SET_ASIDE}",
    "baseline": "UPDATE baselines SET synced_at = NULL WHERE member_id = ?"
    f" AND synced_at = {SET_ASIDE}",
}


@dataclass(frozen=True, slots=True)
class SetAsideRow:
    """One refused row: what it is, the server's reason, when, and whether staff discarded it."""

    kind: Kind
    ref: str  # session/check-in UUID, or the member ID of a baseline or member
    reason: str
    at: float
    discarded: bool = False

    def line(self) -> str:
        """One staff-readable line: ``session 3f2a9c1e: <reason>``."""
        ref = self.ref[:8] if self.kind in ("session", "checkin") else self.ref
        note = " (discarded: kept here, not uploaded)" if self.discarded else ""
        return f"{self.kind} {ref}: {self.reason}{note}"


def _ensure(c: sqlite3.Connection) -> None:
    c.execute(_TABLE)


def set_aside(store: Store, kind: Kind, ref: str, reason: str, at: float | None = None) -> None:
    """Take one row out of the outbox and record why (the row itself is kept)."""
    at = time.time() if at is None else at
    reason = " ".join(reason.split())[:300]

    def run(c: sqlite3.Connection) -> None:
        _ensure(c)
        if kind in _MARK:
            c.execute(_MARK[kind], (SET_ASIDE, ref))
        c.execute(
            "INSERT INTO fleet_set_aside (kind, ref, reason, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, ref) DO UPDATE SET reason = excluded.reason, at = excluded.at,"
            " discarded = 0",
            (kind, ref, reason, at),
        )

    store._run_write(run)  # the fleet's own table, in the store's transaction
    logger.warning("fleet: set aside %s %s: %s", kind, ref, reason)


def set_aside_rows(store: Store, *, include_discarded: bool = False) -> list[SetAsideRow]:
    """The set-aside rows, oldest first."""

    def run(c: sqlite3.Connection) -> list[SetAsideRow]:
        if not _exists(c):
            return []
        where = "" if include_discarded else " WHERE discarded = 0"
        rows = c.execute(
            f"SELECT kind, ref, reason, at, discarded FROM fleet_set_aside{where} ORDER BY at, ref"
        ).fetchall()
        return [SetAsideRow(r[0], r[1], r[2], float(r[3]), bool(r[4])) for r in rows]

    return store._read(run)


def set_aside_count(store: Store) -> int:
    """How many set-aside rows wait for an operator (discarded ones not counted)."""

    def run(c: sqlite3.Connection) -> int:
        if not _exists(c):
            return 0
        row = c.execute("SELECT COUNT(*) FROM fleet_set_aside WHERE discarded = 0").fetchone()
        return int(row[0])

    return store._read(run)


def set_aside_members(store: Store) -> set[str]:
    """Member IDs the server refused (not offered again until retried)."""
    return {r.ref for r in set_aside_rows(store, include_discarded=True) if r.kind == "member"}


def _select(rows: list[SetAsideRow], refs: Iterable[str] | None) -> list[SetAsideRow]:
    if refs is None:
        return rows
    wanted = set(refs)
    return [r for r in rows if r.ref in wanted or r.ref[:8] in wanted]


def retry(store: Store, refs: Iterable[str] | None = None) -> list[SetAsideRow]:
    """Put set-aside rows (all, or those named by ref or its first 8 characters) back."""
    chosen = _select(set_aside_rows(store, include_discarded=True), refs)

    def run(c: sqlite3.Connection) -> None:
        for r in chosen:
            if r.kind in _UNMARK:
                c.execute(_UNMARK[r.kind], (r.ref,))
            c.execute("DELETE FROM fleet_set_aside WHERE kind = ? AND ref = ?", (r.kind, r.ref))

    if chosen:
        store._run_write(run)
    return chosen


def discard(store: Store, refs: Iterable[str]) -> list[SetAsideRow]:
    """Stop reporting these set-aside rows; they stay in this station's database, not uploaded."""
    chosen = _select(set_aside_rows(store), refs)

    def run(c: sqlite3.Connection) -> None:
        for r in chosen:
            c.execute(
                "UPDATE fleet_set_aside SET discarded = 1 WHERE kind = ? AND ref = ?",
                (r.kind, r.ref),
            )

    if chosen:
        store._run_write(run)
    return chosen


def forget(store: Store, kind: Kind, refs: Iterable[str]) -> None:
    """Drop the records of rows the server has now taken (a baseline captured again)."""
    refs = list(refs)

    def run(c: sqlite3.Connection) -> None:
        if _exists(c):
            c.executemany(
                "DELETE FROM fleet_set_aside WHERE kind = ? AND ref = ?", [(kind, r) for r in refs]
            )

    if refs and set_aside_count(store):
        store._run_write(run)


def relabel_own_history(store: Store, station_id: str) -> int:
    """Give this station's not-yet-uploaded rows its current ID; return how many changed.

    A station that ran alone as ``station-1`` and then joined the fleet as ``front-3`` holds
    sessions and check-ins labelled ``station-1``, which its login may not write. Rows still
    waiting in the outbox were all recorded here (other stations' history arrives already
    synced), so they are this station's own and take its name.
    """

    def run(c: sqlite3.Connection) -> int:
        n = 0
        for table in ("sessions", "checkins"):
            n += c.execute(
                f"UPDATE {table} SET station_id = ? WHERE synced_at IS NULL AND station_id != ?",
                (station_id, station_id),
            ).rowcount
        return n

    def stale(c: sqlite3.Connection) -> int:
        return sum(
            int(
                c.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE synced_at IS NULL AND station_id != ?",
                    (station_id,),
                ).fetchone()[0]
            )
            for table in ("sessions", "checkins")
        )

    # read first: a pass must not take the write lock from the kiosk for nothing
    if not store._read(stale):
        return 0
    changed = int(store._run_write(run))
    if changed:
        logger.info("fleet: %d earlier row(s) of this station relabelled %s", changed, station_id)
    return changed


def _exists(c: sqlite3.Connection) -> bool:
    row = c.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fleet_set_aside'"
    ).fetchone()
    return row is not None
