"""What flows down from the server: the member list, tombstones, baselines and history.

Everything lands in the station's SQLite (members, baselines, other stations' sessions as
already-synced rows), so the kiosk keeps reading one local store and works the same when
the server is away; it just reads an older copy.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.store.database import Store
from kiosk.store.outbox import RemoteSession, member_from_row

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

#: Sessions of one member fetched at check-in: enough for progression and the last summary.
HISTORY_LIMIT = 20
#: Re-read this much before the last pull's newest row: a transaction that committed late
#: with an earlier ``now()`` is not missed (re-reading is harmless: the cache upserts).
CURSOR_OVERLAP_S = 120.0

_SESSION_COLUMNS = (
    "uuid::text, member_id, program, station_id, extract(epoch FROM started),"
    " extract(epoch FROM ended), status, summary"
)


def _remote(row: tuple[Any, ...]) -> RemoteSession:
    return RemoteSession(
        row[0],
        row[1],
        row[2],
        row[3],
        float(row[4]),
        None if row[5] is None else float(row[5]),
        row[6],
        row[7] if row[7] is None or isinstance(row[7], dict) else json.loads(row[7]),
    )


def purge_forgotten(conn: psycopg.Connection[Any], store: Store) -> list[str]:
    """Erase here every member the server has forgotten; return their IDs."""
    rows = conn.execute("SELECT member_id FROM forgotten_members").fetchall()
    gone = {r[0] for r in rows}
    hits = sorted(gone & (store.local_member_ids() | store.claimed_ids()))
    for member_id in hits:
        # a check-in typed with the ID (claimed_id) is erased even if no member row is here
        store.forget_member(member_id)
        logger.info("member %s forgotten centrally: erased at this station", member_id)
    return hits


def pull_members(conn: psycopg.Connection[Any], store: Store) -> set[str]:
    """Merge the server's member list into the local one; return the server's IDs."""
    rows = conn.execute("SELECT id, name, expires, level, birth_year FROM members").fetchall()
    store.merge_members(member_from_row(r) for r in rows)
    return {r[0] for r in rows}


def pull_recent(
    conn: psycopg.Connection[Any], store: Store, station_id: str, since: float | None, now: float
) -> float | None:
    """Cache other stations' sessions and newer baselines uploaded since ``since``.

    Returns the new cursor (the server clock of the newest row seen), or ``since``.
    """
    since_arg = -1.0 if since is None else since - CURSOR_OVERLAP_S
    sessions = conn.execute(
        f"SELECT {_SESSION_COLUMNS}, extract(epoch FROM uploaded_at) FROM sessions"
        " WHERE uploaded_at > to_timestamp(%s) AND station_id != %s AND member_id IS NOT NULL"
        " ORDER BY uploaded_at",
        (since_arg, station_id),
    ).fetchall()
    baselines = conn.execute(
        "SELECT member_id, extract(epoch FROM captured), data, extract(epoch FROM received_at)"
        " FROM baselines WHERE received_at > to_timestamp(%s) AND station_id != %s",
        (since_arg, station_id),
    ).fetchall()
    known = store.local_member_ids()
    store.cache_sessions([_remote(r[:8]) for r in sessions if r[1] in known], now)
    for member_id, captured, data, _ in baselines:
        if member_id in known:
            store.cache_baseline(member_id, float(captured), data, now)
    stamps = [float(r[8]) for r in sessions] + [float(r[3]) for r in baselines]
    return max([*stamps, since]) if since is not None else (max(stamps) if stamps else None)


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    """One member as the server knows them right now (what check-in asks for)."""

    member_ids: tuple[str, ...]
    sessions: int
    baseline: bool


def fetch_member(
    conn: psycopg.Connection[Any], store: Store, candidates: Iterable[str], now: float
) -> MemberSnapshot:
    """Fetch a member (any of the candidate IDs), their baseline and recent history; cache them.

    A member forgotten centrally is erased here too.
    """
    ids = list(dict.fromkeys(candidates))
    members = conn.execute(
        "SELECT id, name, expires, level, birth_year FROM members WHERE id = ANY(%s)", (ids,)
    ).fetchall()
    gone = conn.execute(
        "SELECT member_id FROM forgotten_members WHERE member_id = ANY(%s)", (ids,)
    ).fetchall()
    for (member_id,) in gone:
        store.forget_member(member_id)
    if not members:
        return MemberSnapshot((), 0, False)
    found = [r[0] for r in members]
    store.merge_members(member_from_row(r) for r in members)
    sessions = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY member_id ORDER BY started DESC) AS n"
        "  FROM sessions WHERE member_id = ANY(%s)) s WHERE n <= %s",
        (found, HISTORY_LIMIT),
    ).fetchall()
    store.cache_sessions([_remote(r) for r in sessions], now)
    baselines = conn.execute(
        "SELECT member_id, extract(epoch FROM captured), data FROM baselines"
        " WHERE member_id = ANY(%s)",
        (found,),
    ).fetchall()
    for member_id, captured, data in baselines:
        store.cache_baseline(member_id, float(captured), data, now)
    return MemberSnapshot(tuple(found), len(sessions), bool(baselines))
