"""PostureAnalyzer: per-frame posture, gait, core score, posture state, faults and safety events."""

from __future__ import annotations

import logging
import math

from vision import types as L
from vision.metrics.baseline import Baseline
from vision.metrics.camera_view import ViewDetector
from vision.metrics.classify import ABSENT_STATES, FaultTracker, PostureClassifier, SafetyMonitor
from vision.metrics.core_score import CoreConfig, CoreInputs, CoreReference, core_score
from vision.metrics.facing import FacingTracker, body_axes
from vision.metrics.gait import GaitTracker
from vision.metrics.geometry import Landmarks, finite_or_none, to_landmarks
from vision.metrics.posture import PostureSample, posture_sample
from vision.metrics.settings import GaitConfig, PostureConfig, SafetyConfig
from vision.settings import ZoneConfig
from vision.types import METRIC_KEYS, Event, FrameMetrics, Pose

logger = logging.getLogger(__name__)

__all__ = ["METRIC_KEYS", "PostureAnalyzer", "belt_drift"]

#: Hips above the shoulders by more than this is a landmark glitch, not a member (deg).
_IMPLAUSIBLE_DEG = 135.0

_FEET = (
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
    L.LEFT_HEEL,
    L.RIGHT_HEEL,
    L.LEFT_FOOT_INDEX,
    L.RIGHT_FOOT_INDEX,
)


#: Drift (share of the zone) back inside a belt-end limit before its fault condition ends:
#: a member standing at the limit must not raise and clear the fault again and again.
DRIFT_HYSTERESIS = 0.05


def belt_drift(
    lm: Landmarks,
    view: str | None,
    facing: str | None,
    zone: ZoneConfig,
    safety: SafetyConfig,
    forward: bool = False,
    console_side: str | None = None,
) -> float | None:
    """Where the feet are on the belt: 0 = the console end of the zone, 1 = the rear end.

    Side view: the feet's mean x across the zone. The rear end is on image side
    opposite ``console_side`` ("left"/"right") when the station knows it; otherwise it is
    read from the facing: in a backward block (``forward`` False) the way ``safety.belt_rear``
    names (the member's facing by default: walking backwards, the belt carries them toward
    their face), in a forward block the other way (they face the console). Front view (only
    with ``safety.front_view_drift``): the feet's height in the zone, the bottom edge being
    the end nearer the camera. None if unknown.
    """
    w, h = lm.frame_size
    feet = [lm.pts[i] for i in _FEET if lm.pts[i] is not None]
    if not feet or facing is None:
        return None
    x = sum(p[0] for p in feet if p is not None) / len(feet) / w
    y = sum(p[1] for p in feet if p is not None) / len(feet) / h
    toward_face = (safety.belt_rear == "facing") != forward
    if view == "side":
        p = (x - zone.x0) / (zone.x1 - zone.x0)
        if console_side in ("left", "right"):
            rear_is_right = console_side == "left"
        else:
            rear_is_right = (facing == "right") == toward_face
        d = p if rear_is_right else 1.0 - p
    elif view == "front" and safety.front_view_drift:
        p = (y - zone.y0) / (zone.y1 - zone.y0)
        rear_is_near = (facing == "camera") == toward_face
        d = p if rear_is_near else 1.0 - p
    else:
        return None
    return max(0.0, min(1.0, d))


class PostureAnalyzer:
    """Everything the kiosk learns from one member's landmarks, frame by frame.

    ``view`` is "side", "front" or "auto" (from body proportions, with hysteresis).
    ``frame_size`` (width, height in pixels) turns normalised landmarks into square-pixel
    coordinates for the angles; pass the real one to :meth:`update` (the default suits the
    default 640x480 camera). Metrics (:data:`METRIC_KEYS`) are numbers, strings or None
    (unknown); never NaN. Events: ``step`` {side, toe_first}, ``fault`` {fault, value?,
    severity?, escalated?}, ``fault_cleared`` {fault, duration_s}, ``safety`` {reason, ...}.

    This analyzer is the only place that decides a fault exists and has persisted
    (``posture.persist_s``): leans (``leaning_forward`` carries severity "warn" or "alert",
    see :meth:`PostureClassifier.forward_severity`), ``head_forward``, ``core`` (score below
    ``core.fault_below``), ``cadence`` and ``drift``. Drift has two levels: past
    ``safety.drift_warn`` it is a coaching fault ``drift`` (carried toward the end the belt
    runs to: "longer steps back toward the console"); nearer the console end than
    ``safety.console_warn`` it is ``console`` ("slow down"); past
    ``safety.drift_back_limit`` for ``safety.drift_persist_s`` it is a ``safety`` alert
    ``drift_back`` ("hold the rails"). The warning sits nearer the front, so the member is
    coached before the alert.
    """

    def __init__(
        self,
        posture: PostureConfig | None = None,
        gait: GaitConfig | None = None,
        core: CoreConfig | None = None,
        safety: SafetyConfig | None = None,
        zone: ZoneConfig | None = None,
        view: str = "side",
        frame_size: tuple[int, int] = (640, 480),
    ) -> None:
        self.posture_cfg = posture or PostureConfig()
        self.gait_cfg = gait or GaitConfig()
        self.core_cfg = core or CoreConfig()
        self.safety_cfg = safety or SafetyConfig()
        self.zone = zone or ZoneConfig.model_validate({})
        self.frame_size = frame_size
        p = self.posture_cfg
        self._view = ViewDetector(view, p.view_front_ratio, p.view_side_ratio, p.view_switch_frames)
        self._facing = FacingTracker(p.facing_flip_frames, p.front_view_facing)
        self._gait = GaitTracker(self.gait_cfg)
        self._classifier = PostureClassifier(p)
        self._faults = FaultTracker(p.persist_s, p.fault_dip_s)
        self._safety = SafetyMonitor(self.safety_cfg)
        self._baseline: Baseline | None = None
        self._last_view: str | None = None
        self._forward = False  # the block is walked facing the console
        self._console_side: str | None = None
        self._at_end: dict[str, bool] = {"drift": False, "console": False}

    @property
    def baseline(self) -> Baseline | None:
        """The baseline limits are relative to (None = absolute limits only)."""
        return self._baseline

    def set_baseline(self, baseline: Baseline | None) -> None:
        """Judge posture relative to this baseline from now on (None = absolute limits)."""
        self._baseline = baseline
        self._gait.hip_tilt_ref = (baseline.hip_tilt_deg or 0.0) if baseline else 0.0

    def set_zone(self, zone: ZoneConfig) -> None:
        """Use a new treadmill zone for drift."""
        self.zone = zone

    def set_incline(self, percent: float) -> None:
        """The deck's current grade, % (e.g. from the program block); 0 = level."""
        if not (0.0 <= percent <= 30.0) or not math.isfinite(percent):
            raise ValueError(f"incline must be 0-30 %, not {percent!r}")
        self._classifier.incline_percent = percent

    def set_walking(self, direction: str | None, console_side: str | None = None) -> None:
        """The block's walking direction ("forward"/"backward"; None keeps the last) and,
        when known, the image side ("left"/"right") the console is on in a side view.

        Drift is always measured from the console end (0) to the rear end (1) of the belt,
        so its faults and safety alert mean the same physical end in every block.
        """
        if direction is not None:
            self._forward = direction == "forward"
        self._console_side = console_side

    def reset(self) -> None:
        """Forget the session (steps, states, faults, safety timers); keeps the baseline."""
        self._view.reset()
        self._facing.reset()
        self._gait.reset()
        self.set_baseline(self._baseline)
        self._classifier.reset()
        self._faults.reset()
        self._safety.reset()
        self._last_view = None
        self._at_end = {"drift": False, "console": False}

    def mark_discontinuity(self, t: float) -> None:
        """The scene jumped at ``t`` (a looping clip starting over): no step spans it."""
        self._gait.mark_break(t)

    def update(
        self,
        t: float,
        pose: Pose | None,
        frame_size: tuple[int, int] | None = None,
        raw: Pose | None = None,
    ) -> tuple[FrameMetrics, list[Event]]:
        """Analyse one frame (``pose`` None = nobody in the zone); returns (metrics, events).

        ``raw`` is the same member before smoothing, if the caller has it: foot contacts are
        timed on it, since a smoothing filter's lag delays and blunts the feet's turning
        points (at 6 fps it moved contacts by up to two frames and lost steps).
        """
        if frame_size is not None:
            self.frame_size = frame_size
        events: list[Event] = []
        metrics = FrameMetrics()
        lm: Landmarks | None = None
        sample: PostureSample | None = None
        view = self._view.view
        facing = None
        if pose is not None:
            lm = to_landmarks(
                pose.image, pose.world, self.frame_size, self.posture_cfg.visibility_gate
            )
            view = self._view.update(lm)
            if view != self._last_view:
                self._gait.reset_strides()
                self._last_view = view
            facing = self._facing.update(lm, view or "side", t)
            sample = posture_sample(lm, view, facing, self.posture_cfg.camera_roll_deg)
            a = sample.trunk_image_deg
            if body_axes(lm) is None or (a is not None and abs(a) > _IMPLAUSIBLE_DEG):
                sample = PostureSample()  # trunk not visible or upside down: all unknown

        feet = lm
        if raw is not None and lm is not None:
            feet = to_landmarks(
                raw.image, raw.world, self.frame_size, self.posture_cfg.visibility_gate
            )
        contacts = self._gait.update(
            t,
            feet,
            facing,
            sample.trunk_lean_deg if sample else None,
            sample.lateral_lean_deg if sample else None,
            sample.hip_tilt_deg if sample else None,
            sample.trunk_image_deg if sample else None,
        )
        for c in contacts:
            events.append(Event("step", c.t, {"side": c.side, "toe_first": c.toe_first}))
        g = self._gait.summary(t)
        b = self._baseline
        ref = (
            CoreReference(
                b.sagittal_oscillation_deg,
                b.lateral_sway_deg,
                b.hip_tilt_peak_deg,
                b.trunk_velocity_sd_dps,
            )
            if b is not None
            else None
        )
        score = (
            core_score(
                CoreInputs(
                    g.trunk_oscillation_deg,
                    g.lateral_sway_deg,
                    g.hip_tilt_peak_deg,
                    g.trunk_velocity_sd_dps,
                ),
                self.core_cfg,
                self.gait_cfg,
                self.posture_cfg,
                ref,
            )
            if pose is not None
            else None
        )

        state = self._classifier.update(sample, b)
        drift = (
            belt_drift(
                lm, view, facing, self.zone, self.safety_cfg, self._forward, self._console_side
            )
            if lm is not None
            else None
        )

        # Faults: unknown (None) leaves a fault as it is; a lost member clears them below.
        known = state not in ABSENT_STATES
        conds: dict[str, bool | None] = {
            name: (state == name) if known else None
            for name in ("leaning_forward", "leaning_back", "leaning_side")
        }
        conds["head_forward"] = self._classifier.head_forward(sample, b) if sample else None
        conds["core"] = None if score is None else score < self.core_cfg.fault_below
        h = DRIFT_HYSTERESIS
        if drift is not None:
            warn = self.safety_cfg.drift_warn - (h if self._at_end["drift"] else 0.0)
            self._at_end["drift"] = drift >= warn
        conds["drift"] = None if drift is None else self._at_end["drift"]
        console = self.safety_cfg.console_warn
        if drift is not None and console > 0:
            near = console + (h if self._at_end["console"] else 0.0)
            self._at_end["console"] = drift <= near
        conds["console"] = None if drift is None or console <= 0 else self._at_end["console"]
        if pose is not None:
            # No cadence cue while the estimate is still settling (a few steps in).
            cad = g.cadence_spm if g.cadence_settled else None
            conds["cadence"] = cad is not None and not (
                self.gait_cfg.cadence_min_spm <= cad <= self.gait_cfg.cadence_max_spm
            )
        values = {
            "leaning_forward": finite_or_none(sample.trunk_lean_deg, 1) if sample else None,
            "leaning_back": finite_or_none(sample.trunk_lean_deg, 1) if sample else None,
            "leaning_side": finite_or_none(sample.lateral_lean_deg, 1) if sample else None,
            "head_forward": finite_or_none(sample.head_forward_deg, 1) if sample else None,
            "core": finite_or_none(score, 0),
            "cadence": finite_or_none(g.cadence_spm, 1),
            "drift": finite_or_none(drift, 2),
            "console": finite_or_none(drift, 2),
        }
        severities: dict[str, str | None] = {
            "leaning_forward": self._classifier.forward_severity(sample, b)
            if sample is not None and state == "leaning_forward"
            else None
        }
        events.extend(self._faults.update(t, conds, values, severities))

        safety = self._safety.update(
            t, pose is not None, sample.trunk_image_deg if sample else None, drift
        )
        if any(e.data.get("reason") == "member_lost" for e in safety):
            events.extend(self._faults.clear_all(t))
            self._gait.reset()
            self.set_baseline(self._baseline)
        walked = "forward" if self._forward else "backward"
        for event in safety:
            event.data.setdefault("direction", walked)  # which way to step, in their frame
        events.extend(safety)

        metrics.view = view
        metrics.seen_view = self._view.seen
        metrics.facing = facing
        metrics.posture = state
        metrics.steps = self._gait.total_steps
        metrics.baseline = b is not None
        g_lean, g_plus, g_minus = self._classifier.gauge(sample, b, view)
        metrics.gauge_lean_deg = finite_or_none(g_lean, 2)
        metrics.gauge_limit_plus_deg = round(g_plus, 2)
        metrics.gauge_limit_minus_deg = round(g_minus, 2)
        if sample is not None:
            metrics.trunk_lean_deg = finite_or_none(sample.trunk_lean_deg, 2)
            metrics.lateral_lean_deg = finite_or_none(sample.lateral_lean_deg, 2)
            metrics.head_forward_deg = finite_or_none(sample.head_forward_deg, 2)
            metrics.hip_tilt_deg = finite_or_none(sample.hip_tilt_deg, 2)
        if pose is not None:
            metrics.core_score = finite_or_none(score, 1)
            metrics.cadence_spm = finite_or_none(g.cadence_spm, 1)
            metrics.cadence_settled = g.cadence_settled
            metrics.step_time_cv = finite_or_none(g.step_time_cv, 4)
            metrics.symmetry = finite_or_none(g.symmetry, 3)
            metrics.trunk_oscillation_deg = finite_or_none(g.trunk_oscillation_deg, 2)
            metrics.lateral_sway_deg = finite_or_none(g.lateral_sway_deg, 2)
            metrics.drift = finite_or_none(drift, 3)
        return metrics, events
