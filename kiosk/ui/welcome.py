"""The welcome after check-in: the member's name, today's plan, what changed and why."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.session.plans import SessionPlan

logger = logging.getLogger(__name__)

#: Seconds the welcome fills the position screen before the mirror and checks take over.
WELCOME_S = 6.0


@dataclass(frozen=True, slots=True)
class WelcomeView:
    """What the welcome says: plain data for the position screen."""

    name: str
    #: "Today: 3 min backward"
    today: str
    #: "7 min in all" ("" when the session is all backward walking)
    total: str = ""
    #: what changed since last time and why, one sentence ("" for a guest)
    change: str = ""
    #: the plan's shape: (seconds, backward?) per block, as on the session's block bar
    blocks: list[tuple[float, bool]] = field(default_factory=list)


def _minutes(seconds: float) -> str:
    """3 min, 2.5 min, 30 s."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:g} min" if (seconds / 60) * 2 % 1 == 0 else f"{seconds / 60:.1f} min"


def _num(summary: Mapping[str, Any], key: str) -> float | None:
    value = summary.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def change_since(plan: SessionPlan, previous: Mapping[str, Any] | None) -> str:
    """What today's plan changes against the last session, and why, in one sentence.

    The reasons are progression's (`kiosk.session.progression.suggest_next`): more time after
    an upright session, less (or no incline, no intervals) after a poor one, else the same.
    """
    if previous is None:
        return "Your first session here: an easy start"
    last_min = _num(previous, "backward_minutes")
    share = _num(previous, "upright_share")
    pct = _num(previous, "upright_percent")
    if pct is None and share is not None:
        pct = 100 * share
    upright = "" if pct is None else f"{pct:.0f}% upright last time"
    today_s = plan.backward_s
    last_incline = _num(previous, "incline_percent") or 0.0
    incline = max((b.incline_percent or 0.0 for b in plan.blocks if b.is_backward), default=0.0)
    if last_min is not None and abs(today_s - last_min * 60) >= 15:
        delta = _minutes(abs(today_s - last_min * 60))
        if today_s > last_min * 60:
            return f"{delta} more than last time: {upright or 'well done'}"
        return f"{delta} less than last time, to stand taller ({upright or 'a hard one'})"
    if incline > last_incline:
        return f"Now a {incline:g}% incline: {upright or 'well done'}"
    if incline < last_incline:
        return f"Less incline today, to stand taller ({upright or 'a hard one'})"
    if plan.has_intervals and not previous.get("intervals"):
        return f"Now with forward and backward intervals: {upright or 'well done'}"
    if upright:
        return f"The same as last time, to build on {upright}"
    return "The same as last time"


def welcome_view(
    name: str, plan: SessionPlan, previous: Mapping[str, Any] | None, guest: bool
) -> WelcomeView:
    """The welcome for ``name`` with ``plan`` (a guest gets no comparison)."""
    backward = plan.backward_s
    total = plan.total_s
    return WelcomeView(
        name="Welcome" if guest else f"Welcome, {name.split()[0]}",
        today=f"Today: {_minutes(backward)} backward",
        total=f"{_minutes(total)} in all" if total - backward >= 30 else "",
        change="" if guest else change_since(plan, previous),
        blocks=[(b.seconds, b.is_backward) for b in plan.blocks],
    )
