"""The member list on the central server: import and forget (what ``backstep members`` uses).

These need the ``backstep_manager`` group (or the owner); a station role may only read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kiosk.store.records import Member

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)


def import_central(conn: psycopg.Connection[Any], members: Sequence[Member]) -> tuple[int, int]:
    """Add or update members on the server in ONE transaction; return (added, updated).

    An imported ID that was forgotten before is a new membership: its tombstone goes.
    """
    added = updated = 0
    with conn.transaction(), conn.cursor() as cur:
        for m in members:
            cur.execute(
                "INSERT INTO members (id, name, expires, level, birth_year)"
                " VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
                " expires = excluded.expires, level = excluded.level,"
                " birth_year = COALESCE(excluded.birth_year, members.birth_year),"
                " updated_at = now()"
                " RETURNING (xmax = 0)",
                (m.id, m.name, m.expires, m.level, m.birth_year),
            )
            row = cur.fetchone()
            if row and row[0]:
                added += 1
            else:
                updated += 1
        cur.execute(
            "DELETE FROM forgotten_members WHERE member_id = ANY(%s)", ([m.id for m in members],)
        )
    return added, updated


def forget_central(conn: psycopg.Connection[Any], member_id: str) -> bool:
    """Erase a member on the server (sessions, samples, events, check-ins, baseline cascade).

    A tombstone (the bare ID, nothing else) stays so stations that were offline erase their
    copies at their next sync. True when the member was on the server.
    """
    with conn.transaction():
        n = conn.execute("DELETE FROM members WHERE id = %s", (member_id,)).rowcount
        conn.execute("DELETE FROM checkins WHERE claimed_id = %s", (member_id,))
        conn.execute(
            "INSERT INTO forgotten_members (member_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (member_id,),
        )
    logger.info("member %s forgotten on the server (%d row)", member_id, n)
    return n > 0
