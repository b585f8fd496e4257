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

from vision import types as L
from vision.metrics.geometry import Landmarks, mean, stdev
from vision.metrics.settings import GaitConfig

logger = logging.getLogger(__name__)

#: A gap in a foot's samples longer than this forgets its partial peak search (s).
_MAX_GAP_S = 0.5


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


class FootContactDetector:
    """Finds one foot's contacts: peaks of its distance behind the hips, with hysteresis.

    A peak counts once the foot has come ``hysteresis_m`` forward of it; then the detector waits
    for the foot to go ``hysteresis_m`` back again before looking for the next peak, so tremor
    near a peak cannot make two contacts.
    """

    def __init__(self, side: str, hysteresis_m: float, min_stride_s: float) -> None:
        self.side = side
        self.hysteresis_m = hysteresis_m
        self.min_stride_s = min_stride_s
        self.reset()

    def reset(self) -> None:
        """Forget the partial peak search and the last contact."""
        self._seeking_peak = True
        self._ext: tuple[float, float, bool] | None = None  # (t, value, toe_low) at the extreme
        self._rising = False  # the extreme was reached by going back (not the first sample)
        self._after: list[tuple[float, float]] = []  # samples after the extreme
        self._last: tuple[float, float] | None = None
        self.last_contact_t: float | None = None

    def update(self, t: float, sample: tuple[float, bool] | None) -> Contact | None:
        """Feed one frame's (distance behind, toe lowest) or None; returns a confirmed contact."""
        if sample is None:
            return None
        v, toe_low = sample
        if self._last is not None and t - self._last[0] > _MAX_GAP_S:
            last_contact = self.last_contact_t
            self.reset()
            self.last_contact_t = last_contact
        contact = None
        ext = self._ext
        if ext is None:
            self._ext, self._rising, self._after = (t, v, toe_low), False, []
        elif self._seeking_peak:
            if v > ext[1]:
                self._ext, self._rising, self._after = (t, v, toe_low), True, []
            else:
                self._after.append((t, v))
                if v < ext[1] - self.hysteresis_m:
                    # A peak at the very first sample may be mid-stance: not a contact.
                    contact = self._confirm() if self._rising else None
                    self._seeking_peak = False
                    self._ext, self._after = (t, v, toe_low), []
        elif v < ext[1]:
            self._ext = (t, v, toe_low)
        elif v > ext[1] + self.hysteresis_m:
            self._seeking_peak = True
            self._ext, self._rising, self._after = (t, v, toe_low), True, []
        self._last = (t, v)
        return contact

    def _confirm(self) -> Contact | None:
        assert self._ext is not None
        t0, v0, toe_low = self._ext
        t = t0
        if len(self._after) >= 2:
            # The toe stops at the end of the swing, then the belt drags it forward at a
            # constant speed: the peak is a corner, not a parabola. Extend the belt-speed line
            # through the next two samples back to the peak's level; the corner lies between
            # the highest sample and the next one.
            (t1, v1), (t2, v2) = self._after[0], self._after[1]
            if t2 > t1 and v2 < v1:
                k = (v2 - v1) / (t2 - t1)
                t = max(t0, min(t1, t1 + (v0 - v1) / k))
        if self.last_contact_t is not None and t - self.last_contact_t < self.min_stride_s:
            return None
        self.last_contact_t = t
        return Contact(t=t, side=self.side, toe_first=toe_low)


@dataclass(slots=True)
class GaitSummary:
    """Gait metrics now (None = unknown: too few steps, or not visible from this view)."""

    cadence_spm: float | None = None
    step_time_cv: float | None = None
    symmetry: float | None = None
    trunk_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    hip_tilt_peak_deg: float | None = None
    trunk_velocity_sd_dps: float | None = None


class GaitTracker:
    """Contacts, rolling cadence, step-time CV, symmetry and per-stride trunk motion.

    Feed every frame with :meth:`update`. Definitions:

    * cadence: steps/min from the contacts of the last ``cadence_window_s``:
      ``60 * (n - 1) / (t_last - t_first)``; None with fewer than 3 contacts or when the last
      contact is older than 3 step times (the member stopped).
    * step time: between consecutive contacts of opposite feet; ``step_time_cv`` = SD / mean.
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
        self.feet = {
            side: FootContactDetector(side, cfg.step_hysteresis_m, cfg.min_stride_s)
            for side in ("left", "right")
        }
        self.reset()

    def reset(self) -> None:
        """Forget all steps and samples (new member, new view)."""
        for foot in self.feet.values():
            foot.reset()
        self.contacts: deque[Contact] = deque()
        keep = max(4.0, self.cfg.velocity_window_s) + 1.0
        self._keep_s = keep
        # (t, sagittal lean, lateral lean, hip tilt, trunk image angle) per frame
        self._samples: deque[tuple[float, float | None, float | None, float | None]] = deque()
        self._angles: deque[tuple[float, float]] = deque()
        self._rates: deque[tuple[float, float]] = deque()
        self._sag: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._lat: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._hip: deque[float] = deque(maxlen=self.cfg.stride_window)
        self._prev_contact: dict[str, float] = {}
        self.hip_tilt_ref = 0.0

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
            for side, foot in self.feet.items():
                c = foot.update(t, foot_back(lm, side, f))
                if c is not None:
                    found.append(c)
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

    def summary(self, t: float) -> GaitSummary:
        """Gait metrics at time ``t`` (see the class docstring for definitions)."""
        window = self.cfg.cadence_window_s
        while self.contacts and self.contacts[0].t < t - window:
            self.contacts.popleft()
        out = GaitSummary()
        steps = sorted(self.contacts, key=lambda c: c.t)
        if len(steps) >= 3:
            span = steps[-1].t - steps[0].t
            intervals: list[float] = []
            by_side: dict[str, list[float]] = {"left": [], "right": []}
            for a, b in itertools.pairwise(steps):
                if a.side != b.side:
                    dt = b.t - a.t
                    intervals.append(dt)
                    by_side[b.side].append(dt)
            typical = mean(intervals) if intervals else span / (len(steps) - 1)
            if span > 0 and t - steps[-1].t <= max(1.5, 3.0 * typical):
                out.cadence_spm = 60.0 * (len(steps) - 1) / span
                if len(intervals) >= 2:
                    m = mean(intervals)
                    out.step_time_cv = stdev(intervals) / m if m > 0 else None
                if len(by_side["left"]) >= 1 and len(by_side["right"]) >= 1:
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
            if v is not None and not math.isfinite(v):
                setattr(out, name, None)
        return out
