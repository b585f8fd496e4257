"""Session statistics: the one per-second sampler, % upright, streaks, cadence, fault counts."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from kiosk.store.records import Sample as SampleRow
from vision.metrics.classify import ABSENT_STATES
from vision.types import Event, FrameMetrics

logger = logging.getLogger(__name__)

#: Numeric metrics averaged into each per-second sample.
SAMPLED = ("trunk_lean_deg", "lateral_lean_deg", "core_score", "cadence_spm")
#: The belt's and the heart's values averaged into each sample (`kiosk.session.machine`);
#: ``distance_m`` is a running total: the second's last value is kept.
MACHINE_SAMPLED = ("speed_kmh", "incline_pct", "stride_m", "heart_rate_bpm")
ALL_SAMPLED = SAMPLED + MACHINE_SAMPLED
#: Decimals kept in a sample (the summary, its charts and the stored rows all round alike).
DIGITS = 2
#: Seconds at the start of a session whose cadence is left out of the average: the gait
#: estimator needs a few steps before its cadence means anything.
CADENCE_WARMUP_S = 10.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One second of a session: means of the numeric metrics, the most common posture."""

    t: float  # seconds since the session's first frame
    trunk_lean_deg: float | None
    lateral_lean_deg: float | None
    core_score: float | None
    cadence_spm: float | None
    posture: str | None
    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: float | None = None
    stride_m: float | None = None
    heart_rate_bpm: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (already rounded when sampled); the machine's keys only when known."""
        out = asdict(self)
        for key in (*MACHINE_SAMPLED, "distance_m"):
            if out[key] is None:
                del out[key]
        return out

    def to_row(self) -> SampleRow:
        """The stored row (the recorder writes exactly what the summary charts show)."""
        return SampleRow(
            t=self.t,
            trunk_lean=self.trunk_lean_deg,
            lateral_lean=self.lateral_lean_deg,
            core_score=self.core_score,
            cadence=self.cadence_spm,
            posture=self.posture,
            speed_kmh=self.speed_kmh,
            incline_pct=self.incline_pct,
            distance_m=self.distance_m,
            stride_m=self.stride_m,
            heart_rate_bpm=self.heart_rate_bpm,
        )


class SecondSampler:
    """Turns per-frame metrics into one :class:`Sample` per interval (means; posture = mode).

    The one sampler of a session: the summary's charts and the recorder's stored rows both
    come from it. ``t`` passed to :meth:`add` is seconds since the session started; a sample
    is stamped with the start of its interval, and empty intervals (gaps) make no sample.
    """

    def __init__(self, every_s: float = 1.0) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.every_s = every_s
        self._slot: int | None = None
        self._sums: dict[str, float] = dict.fromkeys(ALL_SAMPLED, 0.0)
        self._counts: dict[str, int] = dict.fromkeys(ALL_SAMPLED, 0)
        self._postures: Counter[str] = Counter()
        self._distance_m: float | None = None

    def add(self, t: float, metrics: FrameMetrics, machine: Any = None) -> list[Sample]:
        """Add one frame at ``t``; returns the samples this frame completed (0 or 1).

        ``machine``: the belt's and the heart's values at that frame
        (`kiosk.session.machine.MachineSample`), when a link is configured.
        """
        slot = max(0, math.floor(t / self.every_s))
        done: list[Sample] = []
        if self._slot is not None and slot > self._slot:
            finished = self.flush()
            if finished is not None:
                done.append(finished)
        if self._slot is None:
            self._slot = slot
        for key in SAMPLED:
            value = _number(getattr(metrics, key))
            if value is not None:
                self._sums[key] += value
                self._counts[key] += 1
        if machine is not None:
            for key in MACHINE_SAMPLED:
                value = _number(getattr(machine, key))
                if value is not None:
                    self._sums[key] += value
                    self._counts[key] += 1
            self._distance_m = _number(machine.distance_m)
        posture = metrics.posture
        if isinstance(posture, str):
            self._postures[posture] += 1
        return done

    def pending(self) -> Sample | None:
        """The current, unfinished interval as a sample (None if it holds nothing)."""
        if self._slot is None or (not self._postures and not any(self._counts.values())):
            return None
        means: dict[str, Any] = {
            k: round(self._sums[k] / self._counts[k], DIGITS) if self._counts[k] else None
            for k in ALL_SAMPLED
        }
        if means["heart_rate_bpm"] is not None:
            means["heart_rate_bpm"] = round(means["heart_rate_bpm"])
        posture = self._postures.most_common(1)[0][0] if self._postures else None
        return Sample(
            round(self._slot * self.every_s, 3),
            posture=posture,
            distance_m=self._distance_m,
            **means,
        )

    def flush(self) -> Sample | None:
        """Finish the current interval; returns its sample (None if empty)."""
        sample = self.pending()
        self._slot = None
        self._sums = dict.fromkeys(ALL_SAMPLED, 0.0)
        self._counts = dict.fromkeys(ALL_SAMPLED, 0)
        self._postures.clear()  # the running distance carries on into the next second
        return sample


class SessionStats:
    """Accumulates a session frame by frame; deterministic (the caller passes ``now``).

    Time is attributed frame by frame: each frame counts for the time since the previous
    one, unless that gap exceeds ``max_gap_s`` (a pause, a stall), which counts for nothing.
    Frames without a member (``posture`` no_person / low_confidence / None) neither count
    towards % upright nor break a streak.
    """

    def __init__(
        self, sample_every_s: float = 1.0, max_gap_s: float = 1.0, t0: float | None = None
    ) -> None:
        if sample_every_s <= 0 or max_gap_s <= 0:
            raise ValueError("sample_every_s and max_gap_s must be positive")
        self.sample_every_s = sample_every_s
        self.max_gap_s = max_gap_s
        self.samples: list[Sample] = []
        self.fault_counts: Counter[str] = Counter()
        self.safety_counts: Counter[str] = Counter()
        #: the session's start (``t`` of the samples counts from it); the first frame if None
        self._t0: float | None = t0
        self._last_t: float | None = None
        self._active_s = self._person_s = self._upright_s = 0.0
        self._streak_s = self._longest_s = 0.0
        self._steps = self._toe_first = 0
        self._sampler = SecondSampler(sample_every_s)

    def add(
        self,
        now: float,
        metrics: FrameMetrics,
        events: Iterable[Event] = (),
        machine: Any = None,
    ) -> list[Sample]:
        """Count one frame's metrics (and the machine's values) and the events since the last.

        Returns the per-second samples this frame completed (the recorder stores those).
        """
        if self._t0 is None:
            self._t0 = now
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
        done = self._sampler.add(now - self._t0, metrics, machine)
        self.samples.extend(done)
        return done

    def flush(self) -> Sample | None:
        """Finish the current second (at the end of a session); returns its sample."""
        sample = self._sampler.flush()
        if sample is not None:
            self.samples.append(sample)
        return sample

    def _count_event(self, event: Event) -> None:
        if event.kind == "fault" and not event.data.get("escalated"):
            # An escalation (worse severity, same episode) is not a new fault.
            self.fault_counts[str(event.data.get("fault", "unknown"))] += 1
        elif event.kind == "safety":
            self.safety_counts[str(event.data.get("reason", "unknown"))] += 1
        elif event.kind == "step":
            self._steps += 1
            self._toe_first += event.data.get("toe_first") is True

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
        """Mean cadence over the seconds it was known, after the estimator's warm-up.

        The first ``CADENCE_WARMUP_S`` seconds with a cadence are left out (the estimator
        starts from a few steps); a session shorter than that keeps them all.
        """
        known = [s for s in self.all_samples() if s.cadence_spm is not None]
        if not known:
            return None
        settled = [s for s in known if s.t - known[0].t >= CADENCE_WARMUP_S]
        values = [s.cadence_spm for s in (settled or known) if s.cadence_spm is not None]
        return sum(values) / len(values)

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
        pending = self._sampler.pending()
        return [*self.samples, pending] if pending is not None else list(self.samples)


def _number(value: Any) -> float | None:
    """A finite number as float, else None (unknown metrics are None; bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
