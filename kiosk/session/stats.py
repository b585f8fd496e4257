"""Session statistics: per-second samples, % upright, upright streaks, cadence, fault counts."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from vision.metrics.classify import ABSENT_STATES
from vision.types import Event, FrameMetrics

logger = logging.getLogger(__name__)

#: Numeric metrics averaged into each per-second sample.
SAMPLED = ("trunk_lean_deg", "lateral_lean_deg", "core_score", "cadence_spm")
#: ``posture`` values that mean no member was measured (not counted for % upright).


@dataclass(frozen=True, slots=True)
class Sample:
    """One second of a session: means of the numeric metrics, the most common posture."""

    t: float  # seconds since the session's first frame
    trunk_lean_deg: float | None
    lateral_lean_deg: float | None
    core_score: float | None
    cadence_spm: float | None
    posture: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, numbers rounded to 0.1."""
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(self).items()}


class SessionStats:
    """Accumulates a session frame by frame; deterministic (the caller passes ``now``).

    Time is attributed frame by frame: each frame counts for the time since the previous
    one, unless that gap exceeds ``max_gap_s`` (a pause, a stall), which counts for nothing.
    Frames without a member (``posture`` no_person / low_confidence / None) neither count
    towards % upright nor break a streak.
    """

    def __init__(self, sample_every_s: float = 1.0, max_gap_s: float = 1.0) -> None:
        if sample_every_s <= 0 or max_gap_s <= 0:
            raise ValueError("sample_every_s and max_gap_s must be positive")
        self.sample_every_s = sample_every_s
        self.max_gap_s = max_gap_s
        self.samples: list[Sample] = []
        self.fault_counts: Counter[str] = Counter()
        self.safety_counts: Counter[str] = Counter()
        self._t0: float | None = None
        self._last_t: float | None = None
        self._active_s = self._person_s = self._upright_s = 0.0
        self._streak_s = self._longest_s = 0.0
        self._steps = self._toe_first = 0
        self._bucket_start: float | None = None
        self._sums: dict[str, float] = dict.fromkeys(SAMPLED, 0.0)
        self._counts: dict[str, int] = dict.fromkeys(SAMPLED, 0)
        self._postures: Counter[str] = Counter()

    def add(self, now: float, metrics: FrameMetrics, events: Iterable[Event] = ()) -> None:
        """Count one frame's metrics and the events since the previous frame."""
        if self._t0 is None:
            self._t0 = self._bucket_start = now
        dt = 0.0 if self._last_t is None else now - self._last_t
        if dt < 0 or dt > self.max_gap_s:
            dt = 0.0
        self._last_t = now
        self._active_s += dt
        posture = metrics.posture
        if isinstance(posture, str) and posture not in ABSENT_STATES:
            self._person_s += dt
            if posture == "upright":
                self._upright_s += dt
                self._streak_s += dt
                self._longest_s = max(self._longest_s, self._streak_s)
            else:
                self._streak_s = 0.0
        for event in events:
            self._count_event(event)
        self._sample(now, metrics, posture)

    def _count_event(self, event: Event) -> None:
        if event.kind == "fault" and not event.data.get("escalated"):
            # An escalation (worse severity, same episode) is not a new fault.
            self.fault_counts[str(event.data.get("fault", "unknown"))] += 1
        elif event.kind == "safety":
            self.safety_counts[str(event.data.get("reason", "unknown"))] += 1
        elif event.kind == "step":
            self._steps += 1
            self._toe_first += event.data.get("toe_first") is True

    def _sample(self, now: float, metrics: FrameMetrics, posture: str | None) -> None:
        assert self._bucket_start is not None and self._t0 is not None
        while now - self._bucket_start >= self.sample_every_s:
            self._flush(self._bucket_start - self._t0)
            self._bucket_start += self.sample_every_s
        for key in SAMPLED:
            value = _number(getattr(metrics, key))
            if value is not None:
                self._sums[key] += value
                self._counts[key] += 1
        if isinstance(posture, str):
            self._postures[posture] += 1

    def _pending(self, t: float) -> Sample | None:
        if not self._postures and not any(self._counts.values()):
            return None  # an empty second (a gap): no sample rather than a row of Nones
        means = {k: self._sums[k] / self._counts[k] if self._counts[k] else None for k in SAMPLED}
        posture = self._postures.most_common(1)[0][0] if self._postures else None
        return Sample(t, posture=posture, **means)

    def _flush(self, t: float) -> None:
        sample = self._pending(t)
        if sample is not None:
            self.samples.append(sample)
        self._sums = dict.fromkeys(SAMPLED, 0.0)
        self._counts = dict.fromkeys(SAMPLED, 0)
        self._postures.clear()

    # -- results -----------------------------------------------------------------------

    @property
    def upright_percent(self) -> float | None:
        """Share of the time with a member in view spent upright (None before any)."""
        return 100.0 * self._upright_s / self._person_s if self._person_s > 0 else None

    @property
    def current_streak_s(self) -> float:
        """Seconds upright without a break, up to now."""
        return self._streak_s

    @property
    def longest_streak_s(self) -> float:
        """The longest upright streak so far."""
        return self._longest_s

    @property
    def person_s(self) -> float:
        """Seconds with a member in view."""
        return self._person_s

    def mean(self, key: str) -> float | None:
        """Mean of one sampled metric over the per-second samples (None if never known)."""
        values = [getattr(s, key) for s in self.all_samples() if getattr(s, key) is not None]
        return sum(values) / len(values) if values else None

    @property
    def average_cadence_spm(self) -> float | None:
        """Mean cadence over the seconds where it was known."""
        return self.mean("cadence_spm")

    def summary(self) -> dict[str, Any]:
        """Everything for storage and the summary screen, JSON-ready."""
        samples = self.all_samples()
        lean = [s.trunk_lean_deg for s in samples if s.trunk_lean_deg is not None]
        return {
            "active_s": _r(self._active_s),
            "person_s": _r(self._person_s),
            "upright_s": _r(self._upright_s),
            "upright_percent": _r(self.upright_percent),
            "current_streak_s": _r(self._streak_s),
            "longest_streak_s": _r(self._longest_s),
            "average_cadence_spm": _r(self.average_cadence_spm),
            "average_core_score": _r(self.mean("core_score")),
            "average_trunk_lean_deg": _r(self.mean("trunk_lean_deg")),
            "max_trunk_lean_deg": _r(max(lean, key=abs) if lean else None),
            "steps": self._steps,
            "toe_first_percent": _r(100.0 * self._toe_first / self._steps if self._steps else None),
            "faults": dict(self.fault_counts),
            "fault_total": sum(self.fault_counts.values()),
            "safety": dict(self.safety_counts),
            "samples": [s.to_dict() for s in samples],
        }

    def all_samples(self) -> list[Sample]:
        """The finished samples plus the current, partial second (it belongs to the chart)."""
        if self._bucket_start is None or self._t0 is None:
            return list(self.samples)
        pending = self._pending(self._bucket_start - self._t0)
        return [*self.samples, pending] if pending is not None else list(self.samples)


def _number(value: Any) -> float | None:
    """A finite number as float, else None (unknown metrics are None; bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
