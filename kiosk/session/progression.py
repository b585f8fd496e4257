"""What the next session should be, from the member's history (the training advice).

The advice (backward-walking.md, "Sessions"): start at 2-3 minutes; add time gradually to
10-15 minutes; then 5-10% incline or forward/backward intervals. Kachanathu et al. (2016)
trained at 10% incline. The thresholds on upright time are engineering defaults (eng.).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.config.schema import ProgressionConfig
from kiosk.domain import FINISHED_BY_MEMBER
from kiosk.store.database import SessionRecord

logger = logging.getLogger(__name__)

SuggestionKind = Literal["start", "progress", "hold", "step_back"]

# Summary keys (written by the session code into the session's summary JSON) read here:
#: minutes of backward walking done or planned in the session
KEY_MINUTES = "backward_minutes"
#: share (0..1) of the backward-walking time with posture "upright"
KEY_UPRIGHT = "upright_share"
#: incline of the backward blocks, percent
KEY_INCLINE = "incline_percent"
#: whether the session used forward/backward intervals
KEY_INTERVALS = "intervals"


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """What one finished session asked of the member and how upright they stayed."""

    backward_minutes: float
    upright_share: float | None
    incline_percent: float = 0.0
    intervals: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The next session: backward minutes, incline, intervals and one sentence to show."""

    backward_minutes: float
    incline_percent: float
    intervals: bool
    text: str
    kind: SuggestionKind


def outcome_from_summary(summary: dict[str, Any] | None) -> SessionOutcome | None:
    """Read a session summary; None when it lacks the backward minutes."""
    if not summary:
        return None
    minutes = summary.get(KEY_MINUTES)
    if not isinstance(minutes, int | float) or minutes <= 0:
        return None
    share = summary.get(KEY_UPRIGHT)
    return SessionOutcome(
        backward_minutes=float(minutes),
        upright_share=float(share) if isinstance(share, int | float) else None,
        incline_percent=float(summary.get(KEY_INCLINE) or 0.0),
        intervals=bool(summary.get(KEY_INTERVALS, False)),
    )


def outcomes_from_sessions(sessions: Iterable[SessionRecord]) -> list[SessionOutcome]:
    """Outcomes of completed or stopped sessions, oldest first.

    Interrupted sessions (power cut, crash) say nothing about the member and are skipped.
    """
    ordered = sorted(sessions, key=lambda s: (s.started, s.id))
    outcomes = []
    for s in ordered:
        if s.status not in FINISHED_BY_MEMBER:
            continue
        outcome = outcome_from_summary(s.summary)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _fmt(minutes: float) -> str:
    return f"{minutes:g}"


def first_session_minutes(member_level: int | None, cfg: ProgressionConfig) -> float:
    """Backward minutes for a member with no history, by the level staff gave them."""
    if member_level is None or member_level < 1:
        return cfg.start_minutes
    levels = cfg.level_start_minutes
    return min(levels[min(member_level, len(levels)) - 1], cfg.max_minutes)


def suggest_next(
    history: Sequence[SessionOutcome | SessionRecord],
    member_level: int | None = None,
    cfg: ProgressionConfig | None = None,
) -> Suggestion:
    """The next session from the most recent usable outcome in ``history`` (oldest first).

    Good (upright share >= ``good_upright_share``): add ``step_minutes`` up to
    ``max_minutes``, then incline in ``incline_step_percent`` steps up to
    ``max_incline_percent``, then forward/backward intervals. Poor (< ``poor_upright_share``):
    step back one stage. In between, or unknown: hold.
    """
    cfg = cfg or ProgressionConfig()
    outcomes = [h for h in history if isinstance(h, SessionOutcome)]
    records = [h for h in history if isinstance(h, SessionRecord)]
    if records:
        outcomes = outcomes + outcomes_from_sessions(records)
    if not outcomes:
        minutes = first_session_minutes(member_level, cfg)
        return Suggestion(
            minutes,
            0.0,
            False,
            f"Start with {_fmt(minutes)} minutes of backward walking, holding the rails.",
            "start",
        )
    last = outcomes[-1]
    minutes = min(max(last.backward_minutes, cfg.start_minutes), cfg.max_minutes)
    incline, intervals = last.incline_percent, last.intervals
    share = last.upright_share
    if share is not None and share >= cfg.good_upright_share:
        return _progress(minutes, incline, intervals, cfg)
    if share is not None and share < cfg.poor_upright_share:
        return _step_back(minutes, incline, intervals, cfg)
    return Suggestion(
        minutes,
        incline,
        intervals,
        f"Stay at {_fmt(minutes)} minutes next time and focus on standing tall.",
        "hold",
    )


def _progress(
    minutes: float, incline: float, intervals: bool, cfg: ProgressionConfig
) -> Suggestion:
    # Time first, to 10-15 minutes; then incline; then intervals (backward-walking.md).
    if minutes < cfg.max_minutes:
        new = min(minutes + cfg.step_minutes, cfg.max_minutes)
        text = f"Great posture! Try {_fmt(new)} minutes of backward walking next time."
        return Suggestion(new, incline, intervals, text, "progress")
    if incline < cfg.max_incline_percent:
        new_incline = min(incline + cfg.incline_step_percent, cfg.max_incline_percent)
        text = (
            f"Great posture! Keep {_fmt(minutes)} minutes and try a {_fmt(new_incline)}% incline."
        )
        return Suggestion(minutes, new_incline, intervals, text, "progress")
    if not intervals:
        text = "Great posture! Next time, try alternating forward and backward intervals."
        return Suggestion(minutes, incline, True, text, "progress")
    text = f"Great posture! Keep {_fmt(minutes)} minutes at {_fmt(incline)}% with intervals."
    return Suggestion(minutes, incline, intervals, text, "hold")


def _step_back(
    minutes: float, incline: float, intervals: bool, cfg: ProgressionConfig
) -> Suggestion:
    # Undo the most recent stage first: intervals, then incline, then time.
    if intervals:
        text = "Drop the intervals next time and focus on staying upright."
        return Suggestion(minutes, incline, False, text, "step_back")
    if incline > 0:
        new_incline = max(incline - cfg.incline_step_percent, 0.0)
        text = f"Lower the incline to {_fmt(new_incline)}% next time and focus on staying upright."
        return Suggestion(minutes, new_incline, False, text, "step_back")
    new = max(minutes - cfg.step_minutes, cfg.start_minutes)
    if new < minutes:
        text = f"Try {_fmt(new)} minutes next time and focus on staying upright."
    else:
        text = f"Stay at {_fmt(new)} minutes next time and focus on staying upright."
    return Suggestion(new, 0.0, False, text, "step_back")
