"""Erasing a member for real: rows, freed pages, the WAL file, and a check of the bytes."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.store.errors import StorageError

logger = logging.getLogger(__name__)

#: How long `erase_member` waits for other connections' readers to let the checkpoint finish.
CHECKPOINT_WAIT_S = 15.0


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What `erase_member` removed, and whether the bytes are gone from the files."""

    member_id: str
    counts: dict[str, int] = field(default_factory=dict)
    #: True once no database file (main, -wal) contains the member's name or ID any more
    verified: bool = False
    #: why the check could not pass (another program held the database open ...)
    problem: str = ""

    def describe(self) -> str:
        """One paragraph for the terminal (never the member's name)."""
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        text = f"erased member {self.member_id}: {parts}"
        if self.verified:
            text += (
                "; the database was checkpointed and vacuumed with secure_delete, and neither "
                "the name nor the ID appears in its files any more"
            )
        else:
            text += f"; NOT yet gone from the files: {self.problem}"
        return text


def _count(conn: sqlite3.Connection, sql: str, member_id: str) -> int:
    return int(conn.execute(sql, (member_id,)).fetchone()[0])


def _counts(conn: sqlite3.Connection, member_id: str) -> dict[str, int]:
    sessions = "SELECT id FROM sessions WHERE member_id = ?"
    return {
        "member row": _count(conn, "SELECT COUNT(*) FROM members WHERE id = ?", member_id),
        "sessions": _count(conn, "SELECT COUNT(*) FROM sessions WHERE member_id = ?", member_id),
        "samples": _count(
            conn, f"SELECT COUNT(*) FROM samples WHERE session_id IN ({sessions})", member_id
        ),
        "events": _count(
            conn, f"SELECT COUNT(*) FROM events WHERE session_id IN ({sessions})", member_id
        ),
        "check-ins": _count(conn, "SELECT COUNT(*) FROM checkins WHERE member_id = ?", member_id),
        "typed or shown codes (failed check-ins)": _count(
            conn,
            "SELECT COUNT(*) FROM checkins WHERE member_id IS NULL AND claimed_id = ?",
            member_id,
        ),
        "baselines": _count(conn, "SELECT COUNT(*) FROM baselines WHERE member_id = ?", member_id),
    }


def _checkpoint(conn: sqlite3.Connection, wait_s: float) -> bool:
    """``wal_checkpoint(TRUNCATE)`` until it completes (readers elsewhere can hold it up)."""
    deadline = time.monotonic() + wait_s
    while True:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def _bytes_present(path: Path, needles: list[bytes]) -> list[str]:
    found = []
    for suffix in ("", "-wal"):
        part = path.with_name(path.name + suffix)
        try:
            data = part.read_bytes()
        except FileNotFoundError:
            continue
        found += [part.name for n in needles if n and n in data]
    return found


def erase_member(
    conn: sqlite3.Connection, path: Path, member_id: str, *, wait_s: float = CHECKPOINT_WAIT_S
) -> ErasureReport | None:
    """Delete the member and all their rows, then make the deletion real on disk.

    ``secure_delete`` zeroes the freed content, a TRUNCATE checkpoint (waiting up to
    ``wait_s`` for other readers) moves it from the WAL into the main file and empties the
    WAL, VACUUM rebuilds the file without the freed pages, and a last checkpoint empties the
    WAL again. The files are then searched for the name and the ID. Returns None for an
    unknown member. ``conn`` is in autocommit mode (``isolation_level=None``).
    """
    try:
        row = conn.execute("SELECT name FROM members WHERE id = ?", (member_id,)).fetchone()
        if row is None:
            return None
        name = str(row[0])
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            counts = _counts(conn, member_id)
            conn.execute("DELETE FROM members WHERE id = ?", (member_id,))  # cascades
            conn.execute(
                "DELETE FROM checkins WHERE member_id IS NULL AND claimed_id = ?", (member_id,)
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        done = _checkpoint(conn, wait_s)
        if done:
            conn.execute("VACUUM")
            done = _checkpoint(conn, wait_s)
    except sqlite3.Error as exc:
        raise StorageError(f"erasing member {member_id}: {exc}") from exc
    if not done:
        return ErasureReport(
            member_id,
            counts,
            problem=(
                "another program (the kiosk?) kept a read open on the database, so the "
                "checkpoint could not finish; the rows are deleted, and their bytes go at the "
                "kiosk's next checkpoint: run the command again to confirm"
            ),
        )
    # The ID is searched only when long enough not to match unrelated bytes by chance.
    needles = [name.encode("utf-8")] if len(name) >= 3 else []
    if len(member_id) >= 4:
        needles.append(member_id.encode("utf-8"))
    left = _bytes_present(path, needles)
    if left:
        return ErasureReport(member_id, counts, problem=f"still found in {', '.join(left)}")
    logger.info("member %s erased", member_id)  # the ID only: the journal keeps no names
    return ErasureReport(member_id, counts, verified=True)
