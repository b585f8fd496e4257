"""Uploading the station's outbox: idempotent upserts keyed by each row's UUID.

Every batch is one server transaction; rows leave the local outbox only after it commits.
A crash between the commit and the local acknowledgement re-sends the batch next time,
and the upserts turn that into a no-op: a session already on the server keeps its
samples (they were sent with it, all or nothing), so nothing is duplicated or lost.
Rows of a member the server no longer knows (forgotten meanwhile) are dropped on the
server and purged here by the next tombstone pull.

A batch the server *refuses* (a policy or CHECK of schema step 3, not an outage) is sent
again one row at a time; the rows still refused come back as :class:`Refused` for the
caller to set aside (:mod:`kiosk.fleet.setaside`), and the others are uploaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kiosk.store.outbox import OutboxBaseline, OutboxCheckin, OutboxSession

if TYPE_CHECKING:
    import psycopg

R = TypeVar("R")

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
RETURNING 1
"""


@dataclass(slots=True)
class UploadCounts:
    """What one upload pass sent (new rows and re-sent ones)."""

    sessions: int = 0
    resent_sessions: int = 0
    samples: int = 0
    events: int = 0
    checkins: int = 0
    #: baselines the server took (newer than what it had)
    baselines: int = 0
    #: baselines sent that the server did not apply: it keeps a newer capture (on its clock)
    baselines_not_newer: int = 0

    def add(self, other: UploadCounts) -> None:
        """Add another (committed) batch's counts."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True, slots=True)
class Refused(Generic[R]):
    """A row the server refused on its own, with the server's reason."""

    row: R
    reason: str


def is_refusal(exc: BaseException) -> bool:
    """True when the server refused the data (policy, CHECK, type), not when it is away."""
    import psycopg

    return isinstance(exc, psycopg.DatabaseError) and not isinstance(
        exc, psycopg.OperationalError | psycopg.InterfaceError
    )


def send_each(rows: Sequence[R], send: Callable[[Sequence[R]], None]) -> list[Refused[R]]:
    """``send(rows)`` as one batch; if the server refuses it, each row alone.

    Returns the rows refused alone (the others are on the server). An outage (connection
    lost, timeout) is raised as before: the whole pass retries later.
    """
    from kiosk.fleet.central import explain

    try:
        send(rows)
        return []
    except Exception as exc:
        if not is_refusal(exc):
            raise
        logger.info("batch of %d refused (%s): sending one by one", len(rows), explain(exc))
    refused: list[Refused[R]] = []
    for row in rows:
        try:
            send([row])
        except Exception as exc:
            if not is_refusal(exc):
                raise
            refused.append(Refused(row, explain(exc)))
    return refused


def upload_sessions(
    conn: psycopg.Connection[Any], sessions: Sequence[OutboxSession], counts: UploadCounts
) -> list[Refused[OutboxSession]]:
    """Send finished sessions with their samples and events (one transaction per batch).

    Returns the sessions the server refused (see :func:`send_each`).
    """
    return send_each(sessions, lambda batch: _send_sessions(conn, batch, counts))


def _send_sessions(
    conn: psycopg.Connection[Any], sessions: Sequence[OutboxSession], total: UploadCounts
) -> None:
    counts = UploadCounts()  # added to the total only once the transaction commits
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
                    " cadence, posture, speed_kmh, incline_pct, distance_m, stride_m,"
                    " heart_rate_bpm) FROM STDIN"
                ) as copy:
                    for seq, sample in enumerate(s.samples):
                        copy.write_row((s.uuid, seq, *sample))
                counts.samples += len(s.samples)
            if s.events:
                with cur.copy("COPY events (session_uuid, seq, t, kind, data) FROM STDIN") as copy:
                    for seq, (t, kind, data) in enumerate(s.events):
                        copy.write_row((s.uuid, seq, t, kind, data))
                counts.events += len(s.events)
    total.add(counts)


def upload_checkins(
    conn: psycopg.Connection[Any], checkins: Sequence[OutboxCheckin], counts: UploadCounts
) -> list[Refused[OutboxCheckin]]:
    """Send check-in attempts (a re-sent UUID is ignored); return those refused."""
    return send_each(checkins, lambda batch: _send_checkins(conn, batch, counts))


def _send_checkins(
    conn: psycopg.Connection[Any], checkins: Sequence[OutboxCheckin], counts: UploadCounts
) -> None:
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
) -> list[Refused[OutboxBaseline]]:
    """Send baselines; the server keeps the newest capture per member, on its own clock.

    Schema step 3 clamps a capture to the server's ``now()`` and refuses one far in the
    future, so a station clock running ahead cannot win. ``counts`` says what the server
    really did: taken, or not applied because it holds a newer capture.
    """
    return send_each(baselines, lambda batch: _send_baselines(conn, batch, station_id, counts))


def _send_baselines(
    conn: psycopg.Connection[Any],
    baselines: Sequence[OutboxBaseline],
    station_id: str,
    total: UploadCounts,
) -> None:
    counts = UploadCounts()
    with conn.transaction(), conn.cursor() as cur:
        for b in baselines:
            cur.execute(
                _UPSERT_BASELINE, (b.member_id, b.captured, b.data, station_id, b.member_id)
            )
            if cur.fetchone() is None:
                counts.baselines_not_newer += 1
            else:
                counts.baselines += 1
    total.add(counts)


def upload_new_members(
    conn: psycopg.Connection[Any], rows: Sequence[tuple[str, str, Any, int | None, int | None]]
) -> tuple[int, list[Refused[tuple[str, str, Any, int | None, int | None]]]]:
    """Add members only this station knows (a station that ran alone before joining the fleet).

    Existing server rows win (``DO NOTHING``); tombstoned IDs were already purged locally.
    Rows: (id, name, expires, level, birth_year). Returns (rows sent, rows the server
    refused: a bad ID or name).
    """
    if not rows:
        return 0, []

    def send(batch: Sequence[tuple[str, str, Any, int | None, int | None]]) -> None:
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                # with the birth year: the zones it gives follow the member to every station
                "INSERT INTO members (id, name, expires, level, birth_year)"
                " VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING",
                list(batch),
            )

    refused = send_each(rows, send)
    return len(rows) - len(refused), refused
