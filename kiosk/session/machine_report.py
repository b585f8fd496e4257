"""The belt and the heart in the session summary: its numbers, charts and comparison rows."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.session.compare import value_of
from kiosk.session.machine import BELT_MOVING_KMH, speed_in
from kiosk.session.views import Compare

logger = logging.getLogger(__name__)

#: The summary keys this module adds (absent when no link gave a value).
MACHINE_KEYS = (
    "average_speed_kmh",
    "backward_distance_m",
    "average_stride_m",
    "average_heart_rate_bpm",
    "peak_heart_rate_bpm",
)


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def machine_summary(samples: Sequence[Any], units: str) -> dict[str, Any]:
    """The session summary's belt and heart numbers, from its per-second samples.

    Stored in km/h and metres (``speed_units`` says how the kiosk showed them); a key is
    left out when no sample had that value (no treadmill, no strap, never connected, a
    belt that never moved).
    """
    # seconds the belt stood (before it paused the session, or before the member started it)
    # are no part of the walk's speed or stride
    walked = [s for s in samples if s.speed_kmh is not None and s.speed_kmh > BELT_MOVING_KMH]
    speeds = [s.speed_kmh for s in walked]
    strides = [s.stride_m for s in walked if s.stride_m is not None]
    hearts = [s.heart_rate_bpm for s in samples if s.heart_rate_bpm is not None]
    distances = [s.distance_m for s in samples if s.distance_m is not None]
    out: dict[str, Any] = {
        "speed_units": units,
        "average_speed_kmh": _mean(speeds),
        "backward_distance_m": round(distances[-1], 1) if distances else None,
        "average_stride_m": _mean(strides),
        "average_heart_rate_bpm": None if not hearts else round(sum(hearts) / len(hearts)),
        "peak_heart_rate_bpm": max(hearts) if hearts else None,
    }
    return {k: v for k, v in out.items() if v is not None}


def by_second(
    samples: Sequence[Mapping[str, Any]], units: str
) -> tuple[list[float | None], list[int | None]]:
    """Per-second belt speed (in ``units``) and heart rate, aligned with the samples; each
    list is empty when no sample had that value."""
    speed: list[float | None] = []
    heart: list[int | None] = []
    for s in samples:
        kmh = s.get("speed_kmh")
        speed.append(None if kmh is None else round(speed_in(units, float(kmh)), 2))
        bpm = s.get("heart_rate_bpm")
        heart.append(None if bpm is None else int(bpm))
    if all(v is None for v in speed):
        speed = []
    if all(v is None for v in heart):
        heart = []
    return speed, heart


def machine_rows(
    summary: Mapping[str, Any], last: Mapping[str, Any] | None, units: str
) -> list[Compare]:
    """Summary rows for the belt and the heart, only for values this session has.

    Backward distance is better when longer (as backward minutes); speed, stride and heart
    rate are shown against last time without a verdict: neither faster nor a higher heart
    rate is better in itself.
    """

    def speed(v: float | None) -> str | None:
        return None if v is None else f"{speed_in(units, v):.1f} {units}"

    def metres(v: float | None) -> str | None:
        return None if v is None else f"{v:.0f} m"

    def stride(v: float | None) -> str | None:
        return None if v is None else f"{v:.2f} m"

    def bpm(v: float | None) -> str | None:
        return None if v is None else f"{v:.0f} bpm"

    rows: list[Compare] = []
    table = (
        ("average_speed_kmh", "Avg speed", speed, False),
        ("backward_distance_m", "Backward distance", metres, True),
        ("average_stride_m", "Stride", stride, False),
        ("average_heart_rate_bpm", "Avg heart rate", bpm, False),
        ("peak_heart_rate_bpm", "Peak heart rate", bpm, False),
    )
    for key, label, fmt, more_is_better in table:
        now = value_of(summary, key)
        if now is None:
            continue
        previous = value_of(last, key)
        trend = None
        if more_is_better and previous is not None:
            trend = 0 if abs(now - previous) < 1.0 else (1 if now > previous else -1)
        rows.append(
            Compare(label, fmt(now) or "—", (fmt(previous) or "—") if last else None, trend)
        )
    return rows
