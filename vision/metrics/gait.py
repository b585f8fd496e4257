"""Backward-walking gait: toe contacts per foot, cadence, step-time CV, symmetry, per-stride sway.

Backward walkers land toe first and roll to the heel (Laufer 2005), so heel-strike detectors
mis-time their steps. On a treadmill the belt carries the stance foot toward the member's face;
the foot is furthest *behind* the hips at the moment its toe lands. A contact is therefore the
rearmost point of each foot's path relative to the hips (the backward analogue of Zeni et al.
2008's heel-strike rule), read from world landmarks (metres, hip-centred) so it works in a side
and a front view alike. Its time is refined between frames (see
:meth:`FootContactDetector._confirm`): at 30 fps one frame is 2-3% of a stride, too coarse for
step-time CV.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import deque
from dataclasses import dataclass
from statistics import median

from vision import types as L
from vision.metrics.geometry import Landmarks, mean, stdev
from vision.metrics.settings import GaitConfig

logger = logging.getLogger(__name__)

#: A gap in the feet's samples longer than this forgets the partial peak search (s).
_MAX_GAP_S = 0.5

#: Step intervals this far from the median (as a fraction of it) are a missed or doubled
#: step, not the rhythm: a missed step doubles an interval, a double halves one.
_OUTLIER_FRACTION = 0.35


def _agrees(dt: float, typical: float) -> bool:
    return abs(dt - typical) <= _OUTLIER_FRACTION * typical


def robust_intervals(intervals: list[float]) -> list[float]:
    """The step intervals that agree with their median (missed and doubled steps dropped)."""
    if not intervals:
        return []
    med = median(intervals)
    return [dt for dt in intervals if _agrees(dt, med)]


@dataclass(slots=True, frozen=True)
class Contact:
    """One foot contact: time (s, sub-frame), which foot, and whether the toe landed first."""

    t: float
    side: str  # "left" | "right"
    toe_first: bool


def facing_vector(facing: str | None) -> tuple[float, float] | None:
    """The member's facing as a unit vector in the world x-z plane (camera-aligned axes)."""
    return {
        "right": (1.0, 0.0),
        "left": (-1.0, 0.0),
        "camera": (0.0, -1.0),  # MediaPipe world z grows away from the camera
        "away": (0.0, 1.0),
    }.get(facing or "")


def foot_back(lm: Landmarks, side: str, f: tuple[float, float]) -> tuple[float, bool] | None:
    """How far (m) the foot is behind the hips along facing ``f``, and whether its toe is lowest.

    Uses the toe (foot index), the point that lands first; falls back to the ankle. The second
    value is True when the toe is lower than the heel (world y points down).
    """
    toe_i, heel_i, ankle_i = (
        (L.LEFT_FOOT_INDEX, L.LEFT_HEEL, L.LEFT_ANKLE)
        if side == "left"
        else (L.RIGHT_FOOT_INDEX, L.RIGHT_HEEL, L.RIGHT_ANKLE)
    )
    toe, heel = lm.world[toe_i], lm.world[heel_i]
    p = toe if toe is not None else lm.world[ankle_i]
    if p is None:
        return None
    # World landmarks are centred between the hips, so p itself is the offset from the hips.
    back = -(p[0] * f[0] + p[2] * f[1])
    toe_low = toe is not None and heel is not None and toe[1] > heel[1]
    return back, toe_low


class RearFootContacts:
    """Finds contacts as peaks of the *rearmost* foot's distance behind the hips.

    Why the rearmost foot and not one detector per foot: in a side view the model often swaps
    the left and right leg for a frame or two, and two per-foot detectors then log a left and
    a right contact 1-4 frames apart at the same touch-down (a 112 steps/min walker read 149).
    The rearmost of the two feet does not care which label the model gave it: it peaks once
    per step, when the swinging foot lands, then falls as the belt carries that foot forward
    until the other foot swings past it. The foot's name comes from continuity (the feet
    alternate), the model's label only starts the sequence.

    A peak counts once the signal has fallen ``hysteresis_m`` below it, and only after
    ``min_step_s`` has passed without a higher peak: two peaks closer than a plausible step
    time are one contact (a glitch in mid-swing, or a swap at touch-down), the higher wins.
    """

    def __init__(self, hysteresis_m: float, min_step_s: float) -> None:
        self.hysteresis_m = hysteresis_m
        self.min_step_s = min_step_s
        self.reset()

    def reset(self) -> None:
        """Forget the partial peak search, the pending contact and the last contact."""
        self._seeking_peak = True
        # The running extreme: (t, value, side, toe_low).
        self._ext: tuple[float, float, str, bool] | None = None
        self._rising = False  # the extreme was reached by going back (not the first sample)
        self._before: tuple[float, float] | None = None  # the sample before the extreme
        self._after: list[tuple[float, float]] = []  # samples after the extreme
        self._last_sample: tuple[float, float] | None = None
        self._pending: tuple[Contact, float] | None = None  # (contact, peak value)
        self.last_contact: Contact | None = None

    def update(
        self, t: float, left: tuple[float, bool] | None, right: tuple[float, bool] | None
    ) -> list[Contact]:
        """Feed one frame's (distance behind, toe lowest) per foot; returns confirmed contacts."""
        out: list[Contact] = []
        if self._pending is not None and t - self._pending[0].t >= self.min_step_s:
            out.append(self._emit(self._pending[0]))
            self._pending = None
        feet = [(v, s) for v, s in ((left, "left"), (right, "right")) if v is not None]
        if not feet:
            return out
        (v, toe_low), side = max(feet, key=lambda f: f[0][0])
        if self._last_sample is not None and t - self._last_sample[0] > _MAX_GAP_S:
            pending, last = self._pending, self.last_contact
            self.reset()
            self._pending, self.last_contact = pending, last
        ext = self._ext
        if ext is None:
            self._ext, self._rising, self._after = (t, v, side, toe_low), False, []
            self._before = None
        elif self._seeking_peak:
            if v > ext[1]:
                self._before = self._last_sample
                self._ext, self._rising, self._after = (t, v, side, toe_low), True, []
            else:
                self._after.append((t, v))
                if v < ext[1] - self.hysteresis_m:
                    # A peak at the very first sample may be mid-stance: not a contact.
                    if self._rising:
                        self._peak(self._refine())
                    self._seeking_peak = False
                    self._ext, self._after = (t, v, side, toe_low), []
        elif v < ext[1]:
            self._ext = (t, v, side, toe_low)
        elif v > ext[1] + self.hysteresis_m:
            self._seeking_peak = True
            self._before = self._last_sample
            self._ext, self._rising, self._after = (t, v, side, toe_low), True, []
        self._last_sample = (t, v)
        return out

    def _peak(self, c: Contact) -> None:
        assert self._ext is not None
        value = self._ext[1]
        if self._pending is not None:
            prev, prev_value = self._pending
            if c.t - prev.t < self.min_step_s:
                # One touch-down seen twice: keep the higher peak (the real rearmost point).
                if value > prev_value:
                    self._pending = (c, value)
                return
        last = self.last_contact
        if last is not None and c.t - last.t < self.min_step_s:
            # The same, when the second peak is confirmed only after the first was handed
            # on (at 10 fps a peak is confirmed a sample or two late): it is not a new step.
            return
        self._pending = (c, value)

    def _emit(self, c: Contact) -> Contact:
        last = self.last_contact
        if last is not None and c.t - last.t < 3.0 * max(self.min_step_s, 0.5):
            # Feet alternate: name this one by continuity, whatever label the model gave.
            other = "left" if last.side == "right" else "right"
            c = Contact(t=c.t, side=other, toe_first=c.toe_first)
        self.last_contact = c
        return c

    def _refine(self) -> Contact:
        """The contact, timed between frames.

        The toe stops at the end of the swing, then the belt drags it forward at a constant
        speed: the peak is a corner, not a parabola. Extend the belt-speed line through the
        next two samples back to the peak's level; the corner lies between the highest sample
        and the next one. With one sample after the peak (low frame rates), the corner is
        where the swing line (sample before -> peak) would meet the belt line.
        """
        assert self._ext is not None
        t0, v0, side, toe_low = self._ext
        t = t0
        if len(self._after) >= 2:
            (t1, v1), (t2, v2) = self._after[0], self._after[1]
            if t2 > t1 and v2 < v1:
                k = (v2 - v1) / (t2 - t1)
                t = max(t0, min(t1, t1 + (v0 - v1) / k))
        elif self._after and self._before is not None:
            (tb, vb), (t1, v1) = self._before, self._after[0]
            rise = (v0 - vb) / (t0 - tb) if t0 > tb else 0.0
            fall = (v1 - v0) / (t1 - t0) if t1 > t0 else 0.0
            # Parabola through the three samples, kept between the neighbours' midpoints.
            denom = rise - fall
            if denom > 0:
                dt = t1 - t0
                t = t0 + max(-0.5, min(0.5, 0.5 * (rise + fall) / denom)) * dt
        return Contact(t=t, side=side, toe_first=toe_low)


@dataclass(slots=True)
class GaitSummary:
    """Gait metrics now (None = unknown: too few steps, or not visible from this view)."""

    cadence_spm: float | None = None
    cadence_settled: bool = False
    step_time_cv: float | None = None
    symmetry: float | None = None
    trunk_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    hip_tilt_peak_deg: float | None = None
    trunk_velocity_sd_dps: float | None = None


class GaitTracker:
    """Contacts, rolling cadence, step-time CV, symmetry and per-stride trunk motion.

    Feed every frame with :meth:`update`. Definitions:

    * cadence: steps/min from the contacts of the last ``cadence_window_s``: 60 over the mean
      of the step intervals that agree with their median (:func:`robust_intervals`); None
      with fewer than 2 such intervals or when the last contact is older than 3 step times
      (the member stopped). ``cadence_settled`` once ``cadence_settle_steps`` steps agree:
      no cadence fault before that.
    * step time: between consecutive contacts; ``step_time_cv`` = SD / mean of the kept ones.
    * symmetry: mean left step time (right -> left contact) and mean right step time, smaller
      over larger: 1.0 = symmetric.
    * per stride (between two contacts of one foot): the range (max - min) of the sagittal trunk
      lean (``trunk_oscillation_deg``, side view) and of the lateral lean (``lateral_sway_deg``,
      front view), the peak hip tilt away from ``hip_tilt_ref`` (front view); each is the mean
      of the last ``stride_window`` strides.
    * ``trunk_velocity_sd_dps``: SD of the trunk's image angle rate (0.1 s differences) over
      ``velocity_window_s``.
    """

    def __init__(self, cfg: GaitConfig) -> None:
        self.cfg = cfg
        self.contacts_detector = RearFootContacts(cfg.step_hysteresis_m, cfg.min_step_s)
        self.reset()

    def reset(self) -> None:
        """Forget all steps and samples (new member, new view)."""
        self.contacts_detector.reset()
        self.contacts: deque[Contact] = deque()
        self.total_steps = 0
        keep = max(4.0, self.cfg.velocity_window_s) + 1.0
        self._keep_s = keep
        # (t, sagittal lean, lateral lean, hip tilt) per frame
        self._samples: deque[tuple[float, float | None, float | None, float | None]] = deque()
        self._angles: deque[tuple[float, float]] = deque()
        self._rates: deque[tuple[float, float]] = deque()
        self._sag: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._lat: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._hip: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._prev_contact: dict[str, float] = {}
        self._breaks: deque[float] = deque()  # times the scene jumped (`mark_break`)
        self.hip_tilt_ref = 0.0

    def mark_break(self, t: float) -> None:
        """The scene jumped at ``t`` (a looping clip starting over): measure nothing across it.

        The feet's path is cut, so the peak search starts afresh (the jump itself would read
        as a foot turning: a false contact), and no step interval or stride spans ``t``. A
        contact still waiting out ``min_step_s`` is dropped: the frames that would have
        confirmed or replaced it are gone (on the looping gym clip one sat 4 frames early on
        a landmark glitch and made a 0.44 s step of a 0.53 s rhythm).
        """
        detector = self.contacts_detector
        last = detector.last_contact
        detector.reset()
        detector.last_contact = last
        self._breaks.append(t)
        self._prev_contact.clear()

    def reset_strides(self) -> None:
        """Forget per-stride values but keep steps (the view changed)."""
        self._samples.clear()
        self._sag.clear()
        self._lat.clear()
        self._hip.clear()

    def update(
        self,
        t: float,
        lm: Landmarks | None,
        facing: str | None,
        sagittal: float | None,
        lateral: float | None,
        hip_tilt: float | None,
        trunk_image: float | None,
    ) -> list[Contact]:
        """Feed one frame's landmarks and angles; returns contacts confirmed by this frame."""
        found: list[Contact] = []
        f = facing_vector(facing)
        if lm is not None and f is not None:
            found = self.contacts_detector.update(
                t, foot_back(lm, "left", f), foot_back(lm, "right", f)
            )
        self._samples.append((t, sagittal, lateral, hip_tilt))
        while self._samples and self._samples[0][0] < t - self._keep_s:
            self._samples.popleft()
        self._track_rate(t, trunk_image)
        for c in sorted(found, key=lambda c: c.t):
            self._add_contact(c)
        return found

    def _track_rate(self, t: float, angle: float | None) -> None:
        if angle is None:
            return
        self._angles.append((t, angle))
        # Rates from ~0.1 s differences: frame-to-frame differences would mostly measure
        # landmark jitter (0.3 deg of jitter is 13 deg/s at 30 fps).
        while len(self._angles) > 2 and self._angles[1][0] <= t - 0.1:
            self._angles.popleft()
        t0, a0 = self._angles[0]
        if t - t0 >= 0.05:
            self._rates.append((t, (angle - a0) / (t - t0)))
        window = self.cfg.velocity_window_s
        while self._rates and self._rates[0][0] < t - window:
            self._rates.popleft()

    def _add_contact(self, c: Contact) -> None:
        self.contacts.append(c)
        self.total_steps += 1
        prev = self._prev_contact.get(c.side)
        self._prev_contact[c.side] = c.t
        if prev is None or c.t - prev > 3.0:
            return
        sag = [s[1] for s in self._samples if prev <= s[0] <= c.t and s[1] is not None]
        lat = [s[2] for s in self._samples if prev <= s[0] <= c.t and s[2] is not None]
        hip = [s[3] for s in self._samples if prev <= s[0] <= c.t and s[3] is not None]
        if len(sag) >= 3:
            self._sag.append(max(sag) - min(sag))
        if len(lat) >= 3:
            self._lat.append(max(lat) - min(lat))
        if len(hip) >= 3:
            self._hip.append(max(abs(h - self.hip_tilt_ref) for h in hip))

    def _spans_break(self, a: Contact, b: Contact) -> bool:
        return any(a.t < cut <= b.t for cut in self._breaks)

    def summary(self, t: float) -> GaitSummary:
        """Gait metrics at time ``t`` (see the class docstring for definitions)."""
        window = self.cfg.cadence_window_s
        while self.contacts and self.contacts[0].t < t - window:
            self.contacts.popleft()
        out = GaitSummary()
        while self._breaks and self._breaks[0] < t - window:
            self._breaks.popleft()
        steps = sorted(self.contacts, key=lambda c: c.t)
        pairs = [(a, b) for a, b in itertools.pairwise(steps) if not self._spans_break(a, b)]
        intervals = [b.t - a.t for a, b in pairs]
        inliers = robust_intervals(intervals)
        if len(inliers) >= 2:
            typical = sum(inliers) / len(inliers)
            if t - steps[-1].t <= max(1.5, 3.0 * typical):
                # Mean of the intervals that agree with the median: a missed or doubled step
                # is dropped, and the mean of sub-frame times is finer than any one frame.
                out.cadence_spm = 60.0 / typical
                out.cadence_settled = len(inliers) >= self.cfg.cadence_settle_steps - 1
                out.step_time_cv = stdev(inliers) / typical
                by_side: dict[str, list[float]] = {"left": [], "right": []}
                for a, b in pairs:
                    dt = b.t - a.t
                    if a.side != b.side and _agrees(dt, typical):
                        by_side[b.side].append(dt)
                if by_side["left"] and by_side["right"]:
                    ml, mr = mean(by_side["left"]), mean(by_side["right"])
                    if max(ml, mr) > 0:
                        out.symmetry = min(ml, mr) / max(ml, mr)
        if self._sag:
            out.trunk_oscillation_deg = mean(self._sag)
        if self._lat:
            out.lateral_sway_deg = mean(self._lat)
        if self._hip:
            out.hip_tilt_peak_deg = mean(self._hip)
        if len(self._rates) >= 5:
            out.trunk_velocity_sd_dps = stdev([r for _, r in self._rates])
        for name in out.__slots__:
            v = getattr(out, name)
            if isinstance(v, float) and not math.isfinite(v):
                setattr(out, name, None)
        return out
