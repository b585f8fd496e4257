"""What the dashboard reads, as typed rows, and the read interface each database implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.domain import FINISHED_STATUSES
from kiosk.store.records import EventRecord, Member, Sample, SessionRecord, StoredBaseline

#: Sessions a trainer sees: finished ones (a live session shows up once it ends).
FINISHED = FINISHED_STATUSES


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """The numbers of one finished session the member list and trend charts need."""

    id: int
    member_id: str
    started: float
    status: str
    backward_minutes: float | None
    planned_minutes: float | None
    upright_share: float | None
    core_score: float | None
    trunk_lean_deg: float | None
    cadence_spm: float | None
    incline_percent: float | None
    intervals: bool
    safety_events: int
    fault_total: int


class DashboardData(Protocol):
    """Read-only access to members and their sessions (SQLite station or fleet database)."""

    def members(self) -> list[Member]:
        """Every member, by ID."""
        ...

    def member(self, member_id: str) -> Member | None:
        """One member, or None."""
        ...

    def session_facts(self, member_id: str | None = None) -> list[SessionFacts]:
        """Finished sessions (all, or one member's), oldest first, as numbers."""
        ...

    def recent_facts(self, newest: int, since: float) -> list[SessionFacts]:
        """Each member's ``newest`` finished sessions and all since ``since``, oldest first."""
        ...

    def sessions(self, member_id: str | None = None) -> list[SessionRecord]:
        """Finished sessions with their summaries, oldest first (what the export writes)."""
        ...

    def session(self, session_id: int) -> SessionRecord | None:
        """One session with its summary, or None."""
        ...

    def samples(self, session_id: int) -> list[Sample]:
        """A session's per-second samples in time order."""
        ...

    def events(self, session_id: int) -> list[EventRecord]:
        """A session's events in time order."""
        ...

    def baseline(self, member_id: str) -> StoredBaseline | None:
        """A member's standing baseline, or None."""
        ...

    def close(self) -> None:
        """Release the connection(s)."""
        ...


def number(summary: dict[str, Any] | None, key: str) -> float | None:
    """A finite number from a session summary, else None (summaries are JSON from the kiosk)."""
    if not summary:
        return None
    v = summary.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
        return None
    return float(v)


def count_values(value: Any) -> int:
    """The sum of a ``{kind: count}`` dict from a summary (0 for anything else)."""
    if not isinstance(value, dict):
        return 0
    return sum(int(n) for n in value.values() if isinstance(n, int | float))


def facts_from_record(s: SessionRecord) -> SessionFacts:
    """:class:`SessionFacts` of a stored session (its summary may lack any key)."""
    summary: dict[str, Any] = s.summary or {}
    return SessionFacts(
        id=s.id,
        member_id=s.member_id or "",
        started=s.started,
        status=s.status,
        backward_minutes=number(summary, "backward_minutes"),
        planned_minutes=number(summary, "planned_backward_minutes"),
        upright_share=number(summary, "upright_share"),
        core_score=number(summary, "average_core_score"),
        trunk_lean_deg=number(summary, "average_trunk_lean_deg"),
        cadence_spm=number(summary, "average_cadence_spm"),
        incline_percent=number(summary, "incline_percent"),
        intervals=bool(summary.get("intervals", False)),
        safety_events=count_values(summary.get("safety")),
        fault_total=int(number(summary, "fault_total") or 0),
    )


def last_n(values: Sequence[float | None], n: int) -> list[float]:
    """The last ``n`` known values (None dropped)."""
    return [v for v in values if v is not None][-n:]
