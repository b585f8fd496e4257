"""Uploading the station's outbox: idempotent upserts keyed by each row's UUID.

Every batch is one server transaction; rows leave the local outbox only after it commits.
A crash between the commit and the local acknowledgement re-sends the batch next time,
and the upserts turn that into a no-op: a session already on the server keeps its
samples (they were sent with it, all or nothing), so nothing is duplicated or lost.
Rows of a member the server no longer knows (forgotten meanwhile) are dropped on the
server and purged here by the next tombstone pull.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.store.outbox import OutboxBaseline, OutboxCheckin, OutboxSession

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

#: Finished sessions per server transaction: big enough to amortise the round trips,
#: small enough that an outage mid-drain loses little work to the retry.
SESSION_BATCH = 25
CHECKIN_BATCH = 500

# Rows of a member who is not (any more) on the server are not inserted: WHERE EXISTS.
_UPSERT_SESSION = """
INSERT INTO sessions (uuid, member_id, station_id, program, started, ended, status, summary)
SELECT %(uuid)s, %(member_id)s, %(station_id)s, %(program)s, to_timestamp(%(started)s),
       to_timestamp(%(ended)s), %(status)s, %(summary)s::jsonb
WHERE %(member_id)s::text IS NULL OR EXISTS (SELECT 1 FROM members WHERE id = %(member_id)s)
ON CONFLICT (uuid) DO UPDATE SET ended = excluded.ended, status = excluded.status,
    summary = excluded.summary, uploaded_at = now()
RETURNING (xmax = 0) AS inserted
"""

_INSERT_CHECKIN = """
INSERT INTO checkins (uuid, member_id, claimed_id, t, station_id, method, ok, reason)
SELECT %s, %s, %s, to_timestamp(%s), %s, %s, %s, %s
WHERE %s::text IS NULL OR EXISTS (SELECT 1 FROM members WHERE id = %s)
ON CONFLICT (uuid) DO NOTHING
"""

_UPSERT_BASELINE = """
INSERT INTO baselines (member_id, captured, data, station_id)
SELECT %s, to_timestamp(%s), %s::jsonb, %s
WHERE EXISTS (SELECT 1 FROM members WHERE id = %s)
ON CONFLICT (member_id) DO UPDATE SET captured = excluded.captured, data = excluded.data,
    station_id = excluded.station_id, received_at = now()
WHERE excluded.captured > baselines.captured
"""


@dataclass(slots=True)
class UploadCounts:
    """What one upload pass sent (new rows and re-sent ones)."""

    sessions: int = 0
    resent_sessions: int = 0
    samples: int = 0
    events: int = 0
    checkins: int = 0
    baselines: int = 0


def upload_sessions(
    conn: psycopg.Connection[Any], sessions: Sequence[OutboxSession], counts: UploadCounts
) -> None:
    """Send finished sessions with their samples and events in ONE transaction."""
    with conn.transaction(), conn.cursor() as cur:
        for s in sessions:
            cur.execute(
                _UPSERT_SESSION,
                {
                    "uuid": s.uuid,
                    "member_id": s.member_id,
                    "station_id": s.station_id,
                    "program": s.program,
                    "started": s.started,
                    "ended": s.ended,
                    "status": s.status,
                    "summary": s.summary,
                },
            )
            row = cur.fetchone()
            if row is None:
                logger.info(
                    "session %s skipped: member %s is not on the server", s.uuid, s.member_id
                )
                continue
            if not row[0]:
                counts.resent_sessions += 1  # already there with its rows: only the update
                continue
            counts.sessions += 1
            if s.samples:
                with cur.copy(
                    "COPY samples (session_uuid, seq, t, trunk_lean, lateral_lean, core_score,"
                    " cadence, posture) FROM STDIN"
                ) as copy:
                    for seq, sample in enumerate(s.samples):
                        copy.write_row((s.uuid, seq, *sample))
                counts.samples += len(s.samples)
            if s.events:
                with cur.copy("COPY events (session_uuid, seq, t, kind, data) FROM STDIN") as copy:
                    for seq, (t, kind, data) in enumerate(s.events):
                        copy.write_row((s.uuid, seq, t, kind, data))
                counts.events += len(s.events)


def upload_checkins(
    conn: psycopg.Connection[Any], checkins: Sequence[OutboxCheckin], counts: UploadCounts
) -> None:
    """Send check-in attempts in one transaction (a re-sent UUID is ignored)."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            _INSERT_CHECKIN,
            [
                (
                    k.uuid,
                    k.member_id,
                    k.claimed_id,
                    k.t,
                    k.station_id,
                    k.method,
                    k.ok,
                    k.reason,
                    k.member_id,
                    k.member_id,
                )
                for k in checkins
            ],
        )
    counts.checkins += len(checkins)


def upload_baselines(
    conn: psycopg.Connection[Any],
    baselines: Sequence[OutboxBaseline],
    station_id: str,
    counts: UploadCounts,
) -> None:
    """Send baselines; the server keeps the newest capture per member (two stations may race)."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            _UPSERT_BASELINE,
            [(b.member_id, b.captured, b.data, station_id, b.member_id) for b in baselines],
        )
    counts.baselines += len(baselines)


def upload_new_members(
    conn: psycopg.Connection[Any], rows: Sequence[tuple[str, str, Any, int | None]]
) -> int:
    """Add members only this station knows (a station that ran alone before joining the fleet).

    Existing server rows win (``DO NOTHING``); tombstoned IDs were already purged locally.
    """
    if not rows:
        return 0
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO members (id, name, expires, level) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING",
            list(rows),
        )
    return len(rows)
