"""Rows of the station database as plain dataclasses (members, sessions, samples ...)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# the domain words, re-exported for the store's users
from kiosk.domain import FINISHED_STATUSES as FINISHED_STATUSES
from kiosk.domain import Member as Member
from kiosk.domain import SessionStatus as SessionStatus


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One stored session (``started``/``ended`` are UNIX seconds)."""

    id: int
    member_id: str | None
    program: str
    station_id: str
    started: float
    ended: float | None
    status: str
    summary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Sample:
    """One per-second sample; ``t`` is seconds since the session started."""

    t: float
    trunk_lean: float | None = None
    lateral_lean: float | None = None
    core_score: float | None = None
    cadence: float | None = None
    posture: str | None = None
    #: the belt and the heart (schema 6; None without a treadmill / strap, or while stale):
    #: belt km/h, deck %, metres walked backwards so far this session, metres per step, bpm
    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: float | None = None
    stride_m: float | None = None
    heart_rate_bpm: int | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A cue, fault or safety alert; ``t`` is seconds since the session started."""

    t: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    """One check-in attempt, successful or not."""

    id: int
    member_id: str | None
    claimed_id: str | None
    t: float
    station_id: str
    method: str
    ok: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class StoredBaseline:
    """A member's standing baseline (``vision.metrics.baseline.Baseline.to_dict()``) and its age."""

    member_id: str
    captured: float
    data: dict[str, Any]

    def is_stale(self, now: float, max_age_days: float) -> bool:
        """True when the baseline is older than ``max_age_days`` and should be re-captured."""
        return now - self.captured > max_age_days * 86400.0


#: The session columns `session_from_row` reads, in order (append a WHERE/ORDER tail).
SESSION_SELECT = (
    "SELECT id, member_id, program, station_id, started, ended, status, summary FROM sessions"
)
#: The sample columns, in `Sample`'s order (append a WHERE/ORDER tail).
SAMPLE_SELECT = (
    "SELECT t, trunk_lean, lateral_lean, core_score, cadence, posture,"
    " speed_kmh, incline_pct, distance_m, stride_m, heart_rate_bpm FROM samples"
)
#: The event columns `event_from_row` reads (append a WHERE/ORDER tail).
EVENT_SELECT = "SELECT t, kind, data FROM events"


def session_from_row(r: Sequence[Any]) -> SessionRecord:
    """A `SessionRecord` from a row of `SESSION_SELECT` (the kiosk's and the dashboard's)."""
    return SessionRecord(
        r[0],
        r[1],
        r[2],
        r[3],
        float(r[4]),
        None if r[5] is None else float(r[5]),
        r[6],
        None if r[7] is None else json.loads(r[7]),
    )


def event_from_row(r: Sequence[Any]) -> EventRecord:
    """An `EventRecord` from a row of `EVENT_SELECT`."""
    return EventRecord(float(r[0]), r[1], json.loads(r[2]))


def read_sessions(
    conn: sqlite3.Connection, tail: str, args: tuple[Any, ...]
) -> list[SessionRecord]:
    """The sessions `SESSION_SELECT` + ``tail`` (a WHERE/ORDER clause with ``args``) finds."""
    return [session_from_row(r) for r in conn.execute(f"{SESSION_SELECT} {tail}", args)]


def read_samples(conn: sqlite3.Connection, session_id: int) -> list[Sample]:
    """A session's samples in time order."""
    rows = conn.execute(f"{SAMPLE_SELECT} WHERE session_id = ? ORDER BY t", (session_id,))
    return [Sample(*r) for r in rows]


def read_events(
    conn: sqlite3.Connection, session_id: int, *, steps: bool = True
) -> list[EventRecord]:
    """A session's events in time order; ``steps=False`` leaves out the one-per-stride steps."""
    where = "session_id = ?" if steps else "session_id = ? AND kind != 'step'"
    rows = conn.execute(f"{EVENT_SELECT} WHERE {where} ORDER BY t, rowid", (session_id,))
    return [event_from_row(r) for r in rows]
