"""Summary rows against last time and the member's best, each metric better in its own way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.session.views import Compare

logger = logging.getLogger(__name__)

#: Which way is better: "more", "fewer", or "in_band" (inside a range, nearer its middle).
Better = Literal["more", "fewer", "in_band"]

#: Said for each safety reason on the summary (the safety screen's words, shorter).
SAFETY_WORDS = {"member_lost": "out of view", "fall": "possible fall", "drift_back": "too far back"}


def _clock(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _whole(value: float | None) -> str | None:
    return None if value is None else f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class Metric:
    """One summary row: where its value is in a session summary, and which way is better.

    ``step``: a change smaller than this is "the same". ``has_best``: a personal best is
    kept (not for cadence, whose best is a range, nor safety stops, where none is the norm).
    """

    key: str
    label: str
    fmt: Callable[[float | None], str | None]
    better: Better
    step: float
    has_best: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("steps", "Steps", _whole, "more", 1.0),
    Metric(
        "backward_minutes",
        "Backward",
        lambda v: _clock(None if v is None else v * 60),
        "more",
        0.05,
    ),
    Metric("upright_percent", "Upright", lambda v: None if v is None else f"{v:.0f}%", "more", 1.0),
    Metric("average_cadence_spm", "Steps/min", _whole, "in_band", 1.0, has_best=False),
    Metric("average_core_score", "Core", _whole, "more", 1.0),
    Metric("safety_stops", "Safety stops", _whole, "fewer", 1.0, has_best=False),
    Metric("longest_streak_s", "Best streak", _clock, "more", 1.0),
)

#: Keys whose personal best is kept (see `personal_bests`).
BEST_KEYS = tuple(m.key for m in METRICS if m.has_best)


def value_of(summary: Mapping[str, Any] | None, key: str) -> float | None:
    """A metric's value in a stored session summary (safety stops are counted by reason)."""
    if summary is None:
        return None
    if key == "safety_stops":
        safety = summary.get("safety")
        return float(sum(safety.values())) if isinstance(safety, Mapping) else None
    value = summary.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def trend(
    metric: Metric,
    now: float | None,
    last: float | None,
    band: tuple[float, float] = (70.0, 120.0),
) -> int | None:
    """+1 better than ``last``, -1 worse, 0 the same, in the metric's own direction.

    Cadence is better inside ``band`` (the analyzer's cadence range) and, outside it, the
    nearer it is; two cadences inside the band are "the same": more is not better.
    """
    if now is None or last is None:
        return None
    if metric.better == "in_band":
        lo, hi = band
        now, last = -_outside(now, lo, hi), -_outside(last, lo, hi)
    elif metric.better == "fewer":
        now, last = -now, -last
    if abs(now - last) < metric.step:
        return 0
    return 1 if now > last else -1


def _outside(value: float, lo: float, hi: float) -> float:
    """How far ``value`` lies outside [lo, hi] (0 inside)."""
    return max(lo - value, 0.0, value - hi)


def personal_bests(summaries: Iterable[Mapping[str, Any] | None]) -> dict[str, float]:
    """The member's best value of each metric that keeps one, over earlier sessions."""
    bests: dict[str, float] = {}
    for summary in summaries:
        for metric in METRICS:
            if not metric.has_best:
                continue
            value = value_of(summary, metric.key)
            if value is None:
                continue
            held = bests.get(metric.key)
            if held is None or trend(metric, value, held) == 1:
                bests[metric.key] = value
    return bests


def safety_note(summary: Mapping[str, Any]) -> str:
    """Why the safety stops happened, in words ("out of view, possible fall"), or ""."""
    safety = summary.get("safety")
    if not isinstance(safety, Mapping):
        return ""
    return ", ".join(SAFETY_WORDS.get(str(k), str(k).replace("_", " ")) for k in safety)


def compare_rows(
    summary: Mapping[str, Any],
    last: Mapping[str, Any] | None,
    bests: Mapping[str, float],
    cadence_band: tuple[float, float] = (70.0, 120.0),
    upright_percent: float | None = None,
) -> list[Compare]:
    """Every metric: today, last time, the member's best and whether today was better.

    ``upright_percent`` overrides the summary's (the report may work it out from samples).
    """
    rows = []
    for metric in METRICS:
        now = value_of(summary, metric.key)
        if metric.key == "upright_percent" and upright_percent is not None:
            now = upright_percent
        if metric.key == "safety_stops" and now is None:
            now = 0.0  # no safety events recorded: none happened
        previous = value_of(last, metric.key)
        best = bests.get(metric.key) if metric.has_best else None
        new_best = (
            best is not None and now is not None and now > 0 and trend(metric, now, best) == 1
        )
        note = safety_note(summary) if metric.key == "safety_stops" else ""
        rows.append(
            Compare(
                metric.label,
                metric.fmt(now) or "—",
                (metric.fmt(previous) or "—") if last is not None else None,
                trend(metric, now, previous, cadence_band),
                new_best,
                best_value=None if best is None else metric.fmt(best),
                note=note,
            )
        )
    return rows
