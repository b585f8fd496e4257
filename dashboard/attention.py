"""Who needs a trainer's attention: regression against their own sessions, missed days, safety."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.data import SessionFacts, last_n
from kiosk.config.schema import DashboardConfig, ProgressionConfig
from kiosk.domain import FINISHED_BY_MEMBER
from kiosk.session.progression import SessionOutcome, Suggestion, suggest_next
from kiosk.store.records import Member

#: Sessions before the latest that make "the member's own recent level".
RECENT = 3
#: Safety events count for attention this long, days.
SAFETY_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One line of the member list."""

    member: Member
    sessions: int
    last_visit: float | None
    sessions_this_month: int
    suggestion: Suggestion
    reasons: list[str] = field(default_factory=list)
    score: int = 0


def outcomes(facts: Sequence[SessionFacts]) -> list[SessionOutcome]:
    """What progression reads, from completed or stopped sessions (oldest first)."""
    return [
        SessionOutcome(f.backward_minutes, f.upright_share, f.incline_percent or 0.0, f.intervals)
        for f in facts
        if f.status in FINISHED_BY_MEMBER
        and (f.backward_minutes or 0) > 0
        and f.backward_minutes is not None
    ]


def regression(facts: Sequence[SessionFacts], cfg: DashboardConfig) -> list[str]:
    """Reasons the latest session is worse than the member's previous ones (may be empty)."""
    if len(facts) < 2:
        return []
    latest, before = facts[-1], facts[:-1]
    reasons: list[str] = []
    recent = last_n([f.upright_share for f in before], RECENT)
    if latest.upright_share is not None and recent:
        drop = statistics.fmean(recent) - latest.upright_share
        if drop >= cfg.regression_upright_drop:
            reasons.append(f"upright {drop * 100:.0f} points below their recent sessions")
    recent = last_n([f.core_score for f in before], RECENT)
    if latest.core_score is not None and recent:
        drop = statistics.fmean(recent) - latest.core_score
        if drop >= cfg.regression_core_drop:
            reasons.append(f"core score {drop:.0f} below their recent sessions")
    return reasons


def facts_since(now: float) -> float:
    """The oldest session start the member list needs beyond each member's newest few."""
    today = dt.datetime.fromtimestamp(now)
    month_start = dt.datetime(today.year, today.month, 1).timestamp()
    return min(month_start, now - SAFETY_WINDOW_DAYS * 86400)


def member_rows(
    members: Sequence[Member],
    facts: Sequence[SessionFacts],
    cfg: DashboardConfig,
    progression: ProgressionConfig,
    now: float,
) -> list[MemberRow]:
    """Every member with what the list shows, most in need of attention first.

    ``facts`` needs each member's newest ``RECENT + 1`` sessions and all since
    :func:`facts_since` (more is fine): regression, last visit, this month and safety.
    """
    by_member: dict[str, list[SessionFacts]] = defaultdict(list)
    for f in facts:
        by_member[f.member_id].append(f)
    today = dt.datetime.fromtimestamp(now)
    month_start = dt.datetime(today.year, today.month, 1).timestamp()
    safety_since = now - SAFETY_WINDOW_DAYS * 86400
    rows = []
    for m in members:
        mine = by_member.get(m.id, [])
        reasons = regression(mine, cfg)
        score = 2 * len(reasons)
        last = mine[-1].started if mine else None
        if last is not None:
            idle_days = int((now - last) // 86400)
            if idle_days >= cfg.missed_after_days:
                reasons.append(f"no session for {idle_days} days")
                score += 1 + idle_days // cfg.missed_after_days
        safety = sum(f.safety_events for f in mine if f.started >= safety_since)
        if safety:
            reasons.append(f"{safety} safety alert{'s' if safety != 1 else ''} in 30 days")
            score += 3 * min(safety, 3)
        rows.append(
            MemberRow(
                member=m,
                sessions=len(mine),
                last_visit=last,
                sessions_this_month=sum(1 for f in mine if f.started >= month_start),
                suggestion=suggest_next(outcomes(mine), m.level, progression),
                reasons=reasons,
                score=score,
            )
        )
    # most attention first; then who has waited longest; never-seen members last
    rows.sort(key=lambda r: (-r.score, r.last_visit is None, r.last_visit or 0.0, r.member.id))
    return rows
