"""Per-frame posture state with hysteresis, faults that persist into events, and safety alerts."""

from __future__ import annotations

import logging
import math
from collections import deque
from typing import Any

from vision.metrics.baseline import Baseline
from vision.metrics.posture import PostureSample
from vision.metrics.settings import PostureConfig, SafetyConfig
from vision.types import Event

logger = logging.getLogger(__name__)

POSTURE_STATES = (
    "upright",
    "leaning_forward",
    "leaning_back",
    "leaning_side",
    "no_person",
    "low_confidence",
)
#: Posture states that mean nobody is judged: no member in the zone, or too unclear to judge.
ABSENT_STATES = frozenset({"no_person", "low_confidence"})
LEAN_FAULTS = ("leaning_forward", "leaning_back", "leaning_side")
FAULTS = (*LEAN_FAULTS, "head_forward", "core", "cadence", "drift", "console")
#: Frames further apart than this (s) mean the camera stopped delivering (lost, reconnecting).
_FRAME_GAP_S = 1.0

#: Severities a fault may carry, mildest first.
SEVERITIES = ("warn", "alert")


def incline_deg(percent: float) -> float:
    """The deck's tilt for a treadmill grade: atan(grade) (5% = 2.9 deg, 10% = 5.7 deg)."""
    return math.degrees(math.atan(percent / 100.0))


def _margin(value: float | None, limit: float) -> float | None:
    return None if value is None else value - limit


def _max_known(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


class PostureClassifier:
    """Upright / leaning_forward / leaning_back / leaning_side, with hysteresis.

    A lean state starts when the lean passes its limit and ends only ``hysteresis_deg`` inside
    it. With a baseline the limits are relative to it (``forward_warn_deg`` ...), and the
    absolute limits still apply as a safety net; without one only the absolute limits apply.
    In a side view, ``incline_percent`` of grade makes atan(grade) of lean toward the face
    neutral: on a deck rising toward the console, a member facing the rear (the usual retro
    set-up) stands square to the deck by leaning that much toward their face.
    """

    def __init__(self, cfg: PostureConfig) -> None:
        self.cfg = cfg
        self.incline_percent = cfg.incline_percent
        self.state = "no_person"
        self.head_forward_active = False

    def reset(self) -> None:
        """Back to no_person."""
        self.state = "no_person"
        self.head_forward_active = False

    def margins(
        self, s: PostureSample, baseline: Baseline | None
    ) -> tuple[float | None, float | None, float | None]:
        """How far (deg) the forward, back and side leans are beyond their limits (+ = beyond)."""
        c = self.cfg
        fwd = back = side = None
        if s.trunk_lean_deg is not None:
            lean = s.trunk_lean_deg - incline_deg(self.incline_percent)
            ref = baseline.trunk_lean_deg if baseline is not None else None
            rel = None if ref is None else lean - ref
            fwd = _max_known(
                _margin(rel, c.forward_warn_deg), _margin(lean, c.absolute_forward_limit_deg)
            )
            back = _max_known(
                _margin(None if rel is None else -rel, c.back_warn_deg),
                _margin(-lean, c.absolute_back_limit_deg),
            )
        if s.lateral_lean_deg is not None:
            ref = baseline.lateral_lean_deg if baseline is not None else None
            rel = None if ref is None else abs(s.lateral_lean_deg - ref)
            side = _max_known(
                _margin(rel, c.lateral_warn_deg),
                _margin(abs(s.lateral_lean_deg), c.absolute_lateral_limit_deg),
            )
        return fwd, back, side

    def gauge(
        self, s: PostureSample | None, baseline: Baseline | None, view: str | None
    ) -> tuple[float | None, float, float]:
        """The lean gauge in the limits in force: (lean from the centre, limit +, limit -).

        The centre is the member's baseline (plus the deck's incline in a side view), or
        vertical without one; the limits are where :meth:`update` changes state, measured
        from that centre (the relative limit or the absolute safety net, whichever bites
        first), so the gauge, the word and the skeleton colour always agree. Side view:
        + = toward the face; front view: + = toward the member's right.
        """
        c = self.cfg
        if view == "front":
            ref = baseline.lateral_lean_deg if baseline is not None else None
            centre = ref or 0.0
            hi, lo = c.absolute_lateral_limit_deg, -c.absolute_lateral_limit_deg
            if ref is not None:
                hi, lo = min(hi, ref + c.lateral_warn_deg), max(lo, ref - c.lateral_warn_deg)
            value = None if s is None else s.lateral_lean_deg
        else:
            incl = incline_deg(self.incline_percent)
            ref = baseline.trunk_lean_deg if baseline is not None else None
            centre = incl + (ref or 0.0)
            hi, lo = incl + c.absolute_forward_limit_deg, incl - c.absolute_back_limit_deg
            if ref is not None:
                hi = min(hi, centre + c.forward_warn_deg)
                lo = max(lo, centre - c.back_warn_deg)
            value = None if s is None else s.trunk_lean_deg
        lean = None if value is None else value - centre
        return lean, hi - centre, centre - lo

    def update(self, s: PostureSample | None, baseline: Baseline | None) -> str:
        """The state for this frame; None sample = no person."""
        if s is None:
            self.state = "no_person"
            return self.state
        fwd, back, side = self.margins(s, baseline)
        if fwd is None and back is None and side is None:
            self.state = "low_confidence"
            return self.state
        h = self.cfg.hysteresis_deg
        held = {"leaning_forward": fwd, "leaning_back": back, "leaning_side": side}
        current = held.get(self.state)
        if current is not None and current > -h:
            return self.state
        for state, m in held.items():
            if m is not None and m > 0:
                self.state = state
                return state
        self.state = "upright"
        return self.state

    def forward_severity(self, s: PostureSample, baseline: Baseline | None) -> str | None:
        """How bad a forward lean is: "alert" or "warn"; None when the lean is unknown.

        "alert" once the lean beyond baseline reaches ``forward_alert_deg``; without a baseline
        (and as the safety net with one) once the lean from vertical passes the absolute limit
        by as much as the alert band lies beyond the warning (``forward_alert_deg -
        forward_warn_deg``). Only meaningful while the state is ``leaning_forward``.
        """
        if s.trunk_lean_deg is None:
            return None
        c = self.cfg
        lean = s.trunk_lean_deg - incline_deg(self.incline_percent)
        band = c.forward_alert_deg - c.forward_warn_deg
        ref = baseline.trunk_lean_deg if baseline is not None else None
        alert = lean >= c.absolute_forward_limit_deg + band
        if ref is not None:
            alert = alert or lean - ref >= c.forward_alert_deg
        return "alert" if alert else "warn"

    def head_forward(self, s: PostureSample, baseline: Baseline | None) -> bool | None:
        """Whether the head is held forward (side view), with hysteresis; None if unknown."""
        if s.head_forward_deg is None:
            return None
        ref = baseline.head_forward_deg if baseline is not None else None
        if ref is not None:
            m = s.head_forward_deg - ref - self.cfg.head_forward_warn_deg
        else:
            m = s.head_forward_deg - self.cfg.absolute_head_forward_limit_deg
        limit = -self.cfg.hysteresis_deg if self.head_forward_active else 0.0
        self.head_forward_active = m > limit
        return self.head_forward_active


class FaultTracker:
    """Turns per-frame fault conditions into ``fault`` / ``fault_cleared`` events.

    This is the one place that decides a fault exists: the kiosk's cue engine only shows what
    these events say. A condition True for ``persist_s`` emits ``fault`` {fault, value?,
    severity?}; when it has been False for ``dip_s`` (a shorter dip is no correction) a
    ``fault_cleared`` {fault, duration_s} follows. None
    (unknown this frame) changes nothing.

    Severity (:data:`SEVERITIES`, for faults given one per frame): the event carries the
    severity that has held for ``persist_s``; if a worse one then holds for ``persist_s``
    while the fault lasts, a second ``fault`` event {..., severity, escalated: True} follows.
    Severity never drops within one episode: the member is told until they correct it.
    """

    def __init__(self, persist_s: float, dip_s: float = 0.0) -> None:
        self.persist_s = persist_s
        #: an active fault whose condition lapses for less than this goes on (no clear)
        self.dip_s = dip_s
        self.reset()

    def reset(self) -> None:
        """Forget every fault without events."""
        self._onset: dict[str, float] = {}
        self._active: dict[str, float] = {}
        # severity -> since when this frame's severity has been at least that bad
        self._severity_onset: dict[str, dict[str, float]] = {}
        self._reported: dict[str, str] = {}
        self._lapse: dict[str, float] = {}  # active fault -> since when its condition lapsed

    @property
    def active(self) -> list[str]:
        """Faults currently reported."""
        return sorted(self._active)

    def severity(self, name: str) -> str | None:
        """The severity last reported for an active fault (None = none or not active)."""
        return self._reported.get(name)

    def update(
        self,
        t: float,
        conditions: dict[str, bool | None],
        values: dict[str, Any] | None = None,
        severities: dict[str, str | None] | None = None,
    ) -> list[Event]:
        """Feed one frame's conditions (and severities); returns the events they cause."""
        events: list[Event] = []
        for name, cond in conditions.items():
            if cond is None:
                continue
            if cond:
                self._lapse.pop(name, None)
                onset = self._onset.setdefault(name, t)
                held = self._held_severity(name, t, (severities or {}).get(name))
                if name not in self._active and t - onset >= self.persist_s:
                    self._active[name] = onset
                    data: dict[str, Any] = {"fault": name}
                    v = (values or {}).get(name)
                    if v is not None:
                        data["value"] = v
                    if held is not None:
                        data["severity"] = self._reported[name] = held
                    events.append(Event("fault", t, data))
                elif (
                    name in self._active
                    and held is not None
                    and _worse(held, self._reported.get(name))
                ):
                    self._reported[name] = held
                    data = {"fault": name, "severity": held, "escalated": True}
                    v = (values or {}).get(name)
                    if v is not None:
                        data["value"] = v
                    events.append(Event("fault", t, data))
            else:
                if name in self._active and self.dip_s > 0:
                    lapsed = self._lapse.setdefault(name, t)
                    if t - lapsed < self.dip_s:
                        continue  # a dip, not a correction: the fault goes on
                self._lapse.pop(name, None)
                self._onset.pop(name, None)
                self._severity_onset.pop(name, None)
                events.extend(self._clear(name, t))
        return events

    def _held_severity(self, name: str, t: float, severity: str | None) -> str | None:
        """The worst severity this fault has shown without a break for ``persist_s``."""
        if severity not in SEVERITIES:
            return None  # unknown this frame: keep what was reported
        rank = SEVERITIES.index(severity)
        onsets = self._severity_onset.setdefault(name, {})
        for i, level in enumerate(SEVERITIES):
            if i <= rank:
                onsets.setdefault(level, t)
            else:
                onsets.pop(level, None)
        held = [lvl for lvl in SEVERITIES if lvl in onsets and t - onsets[lvl] >= self.persist_s]
        return held[-1] if held else None

    def _clear(self, name: str, t: float) -> list[Event]:
        onset = self._active.pop(name, None)
        self._reported.pop(name, None)
        if onset is None:
            return []
        return [Event("fault_cleared", t, {"fault": name, "duration_s": round(t - onset, 2)})]

    def clear_all(self, t: float) -> list[Event]:
        """End every active fault (member gone); returns their ``fault_cleared`` events."""
        events: list[Event] = []
        for name in list(self._active):
            events.extend(self._clear(name, t))
        self._onset.clear()
        self._severity_onset.clear()
        self._lapse.clear()
        return events


def _worse(severity: str, than: str | None) -> bool:
    return than is None or SEVERITIES.index(severity) > SEVERITIES.index(than)


class SafetyMonitor:
    """Raises ``safety`` events: a fall, the member lost from the zone, drifting to the back.

    * ``fall``: the trunk's angle from vertical passes ``fall_lean_deg`` in two consecutive
      frames, having grown by at least ``fall_rise_deg`` within ``fall_window_s`` (sudden);
      re-armed once the lean is back under ``fall_lean_deg - 10``.
    * ``member_lost``: no person for ``member_lost_s`` after one was seen; re-armed when seen.
      Only time *with frames* counts: after a gap in the frames (a camera reconnecting) the
      timer starts again, so a reconnect is not taken for a member who left.
    * ``drift_back``: drift beyond ``drift_back_limit`` for ``drift_persist_s``; re-armed once
      it is 0.05 inside the limit.
    """

    def __init__(self, cfg: SafetyConfig) -> None:
        self.cfg = cfg
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new session)."""
        self._recent: deque[tuple[float, float]] = deque()
        self._fall_armed = True
        self._fall_frames = 0
        self._seen_t: float | None = None
        self._frame_t: float | None = None
        self._lost_sent = False
        self._drift_since: float | None = None
        self._drift_armed = True

    def update(
        self, t: float, person: bool, trunk_deg: float | None, drift: float | None
    ) -> list[Event]:
        """Feed one frame; returns the safety events it raises."""
        c = self.cfg
        events: list[Event] = []
        last, self._frame_t = self._frame_t, t
        if last is not None and t - last > _FRAME_GAP_S and self._seen_t is not None:
            # No frames for a while (camera lost and back): nobody can say the member left.
            self._seen_t = t
        if person:
            self._seen_t, self._lost_sent = t, False
        elif (
            self._seen_t is not None and not self._lost_sent and t - self._seen_t >= c.member_lost_s
        ):
            self._lost_sent = True
            missing = round(t - self._seen_t, 2)
            events.append(Event("safety", t, {"reason": "member_lost", "missing_s": missing}))
        if trunk_deg is not None:
            a = abs(trunk_deg)
            while self._recent and self._recent[0][0] < t - c.fall_window_s:
                self._recent.popleft()
            low = min((v for _, v in self._recent), default=a)
            self._recent.append((t, a))
            if a < c.fall_lean_deg - 10.0:
                self._fall_armed = True
            sudden = a >= c.fall_lean_deg and a - low >= c.fall_rise_deg
            if a >= c.fall_lean_deg and (sudden or self._fall_frames > 0):
                self._fall_frames += 1
            else:
                self._fall_frames = 0
            if self._fall_armed and self._fall_frames >= 2:
                self._fall_armed = False
                events.append(Event("safety", t, {"reason": "fall", "lean_deg": round(a, 1)}))
        if drift is not None:
            if drift > c.drift_back_limit:
                if self._drift_since is None:
                    self._drift_since = t
                if self._drift_armed and t - self._drift_since >= c.drift_persist_s:
                    self._drift_armed = False
                    events.append(
                        Event("safety", t, {"reason": "drift_back", "drift": round(drift, 2)})
                    )
            else:
                self._drift_since = None
                if drift < c.drift_back_limit - 0.05:
                    self._drift_armed = True
        return events
