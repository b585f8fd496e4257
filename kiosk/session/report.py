"""The end-of-session report: what the member did, against last time and their best."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.session import compare
from kiosk.session.machine_report import by_second, machine_rows
from kiosk.session.views import SummaryView

logger = logging.getLogger(__name__)

#: Values whose personal best is kept (each better in its own direction: `compare.METRICS`).
BEST_KEYS = compare.BEST_KEYS


@dataclass(frozen=True, slots=True)
class Limits:
    """The posture limits the session was judged by (degrees from the baseline)."""

    forward_warn_deg: float = 10.0
    back_warn_deg: float = 8.0
    lateral_warn_deg: float = 8.0
    #: without a baseline the analyzer judges the lean from vertical by these instead
    absolute_forward_deg: float = 30.0
    absolute_back_deg: float = 25.0
    absolute_lateral_deg: float = 15.0

    def band(self, side: bool, baseline: bool) -> tuple[float, float]:
        """The upright range on the chart: around the baseline, or from vertical without one."""
        if side:
            w = self.lateral_warn_deg if baseline else self.absolute_lateral_deg
            return (-w, w)
        if baseline:
            return (-self.back_warn_deg, self.forward_warn_deg)
        return (-self.absolute_back_deg, self.absolute_forward_deg)


def fmt_clock(seconds: float) -> str:
    """m:ss (0:00 for zero: a zero is a result, not a missing value)."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def fmt_minutes(minutes: float | None) -> str | None:
    """Minutes as m:ss; None stays None."""
    return None if minutes is None else fmt_clock(minutes * 60.0)


def fmt_percent(value: float | None) -> str | None:
    """A percentage, rounded."""
    return None if value is None else f"{value:.0f}%"


def fmt_number(value: float | None) -> str | None:
    """A whole number."""
    return None if value is None else f"{value:.0f}"


def title_for(pct_upright: float | None, backward_minutes: float) -> str:
    """A title that fits the result (no "Well done" at 0% upright)."""
    if pct_upright is None or backward_minutes <= 0:
        return "Session ended"
    if pct_upright >= 80:
        return "Well done"
    if pct_upright >= 50:
        return "Good work"
    return "Keep practising"


def one_sentence(text: str) -> str:
    """``text`` as one well-formed sentence: trimmed, capitalised, one final full stop."""
    text = " ".join(text.split())
    if not text:
        return "Next time: the same again, standing tall."
    first = text.split(". ")[0].rstrip(".!?")
    return first[:1].upper() + first[1:] + "."


def personal_bests(summaries: Iterable[Mapping[str, Any] | None]) -> dict[str, float]:
    """The member's best value of each ``BEST_KEYS`` entry over earlier sessions."""
    return compare.personal_bests(summaries)


def summary_view(
    summary: Mapping[str, Any],
    limits: Limits,
    last: Mapping[str, Any] | None,
    suggestion: str,
    baseline_lean_deg: float | None = None,
    bests: Mapping[str, float] | None = None,
    baseline_side_deg: float | None = None,
    cadence_band: tuple[float, float] = (70.0, 120.0),
) -> SummaryView:
    """The summary screen's data, from the session's own per-second samples.

    The lean chart and the headline % come from the same samples: the chart shows each
    second's lean relative to the member's baseline (the reference posture was judged
    against) with the analyzer's upright band, and marks the seconds that were not upright.
    """
    samples = list(summary.get("samples") or [])
    has_trunk = any(s.get("trunk_lean_deg") is not None for s in samples)
    key = "trunk_lean_deg" if has_trunk or not samples else "lateral_lean_deg"
    label = "Trunk lean" if key == "trunk_lean_deg" else "Side lean"
    if (baseline_lean_deg if key == "trunk_lean_deg" else baseline_side_deg) is None:
        label += " from vertical"  # no baseline: the lean is judged from vertical
    centre = baseline_lean_deg if key == "trunk_lean_deg" else baseline_side_deg
    band = limits.band(key != "trunk_lean_deg", centre is not None)
    centre = centre or 0.0
    times = [float(s.get("t") or 0.0) for s in samples]
    lean_rel = [None if s.get(key) is None else float(s[key]) - centre for s in samples]
    present = [s.get("posture") not in (None, "no_person", "low_confidence") for s in samples]
    upright = [p and s.get("posture") == "upright" for s, p in zip(samples, present, strict=True)]
    not_upright = [p and not u for p, u in zip(present, upright, strict=True)]
    upright_seconds = sum(upright)
    person_seconds = sum(present)
    # the time-weighted share the session showed live; the per-second share when absent
    pct = _num(summary.get("upright_percent"))
    if pct is None and person_seconds:
        pct = 100.0 * upright_seconds / person_seconds
    backward = _num(summary.get("backward_minutes")) or 0.0
    # the whole session from its own clock (``session_s``): the frame-gap sum (``active_s``)
    # dropped every gap over 1 s and under-reported a slow station's time
    total = (_num(summary.get("session_s")) or _num(summary.get("active_s")) or 0.0) / 60.0
    rows = compare.compare_rows(summary, last, bests or {}, cadence_band, upright_percent=pct)
    core = [s.get("core_score") for s in samples]
    units = str(summary.get("speed_units") or "mph")
    rows += machine_rows(summary, last, units)  # none without a treadmill or a strap
    speed_by_second, heart_by_second = by_second(samples, units)
    return SummaryView(
        pct_upright=pct,
        lean_label=label,
        backward_minutes=backward,
        suggestion=one_sentence(suggestion),
        times=times,
        lean_rel=lean_rel,
        not_upright=not_upright,
        core_by_second=[None if c is None else float(c) for c in core],
        lean_band=band,
        total_minutes=total,
        rows=rows,
        title=title_for(pct, backward),
        speed_by_second=speed_by_second,
        heart_rate_by_second=heart_by_second,
        speed_units=units,
    )


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
