"""The member's baseline: their own upright posture angles, standing still or walking steadily.

Landmark geometry has a per-person offset (on real footage an upright walker's hip->shoulder
line sat about 8 deg behind vertical), so lean limits are judged relative to this baseline;
absolute limits stay as a safety net (backward-walking.md).

A member who is already walking when the baseline starts cannot stand still (before, the
countdown froze at "3" for 10 s and the baseline was skipped without a word). Once the feet
make steps, the collector switches to a *walking* baseline: it lets two warm-up steps pass,
then takes the median posture over ``baseline_walking_steps`` steady steps.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from vision import types as L
from vision.metrics.camera_view import ViewDetector
from vision.metrics.facing import FacingTracker, body_axes
from vision.metrics.gait import RearFootContacts, facing_vector, foot_back
from vision.metrics.geometry import median, midpoint, to_landmarks
from vision.metrics.posture import posture_sample
from vision.metrics.settings import PostureConfig
from vision.types import Pose

logger = logging.getLogger(__name__)

BASELINE_VERSION = 1

#: Steps let pass before a walking baseline starts (the first strides are not yet steady).
WARMUP_STEPS = 2

#: While walking on the belt the hips may wander this far (torso lengths) before the
#: baseline restarts: a member who walks off the belt or is replaced is not a baseline.
WALKING_TOLERANCE = 1.0

#: Walking means two foot contacts at most this far apart (s): one "contact" alone can be
#: landmark jitter of a member standing still (seen on a still real frame).
STEP_GAP_S = 2.0


@dataclass(slots=True)
class Baseline:
    """A member's reference posture (degrees; None = not seen from the baseline's view).

    The posture angles are medians over a still stand. The optional gait references
    (``sagittal_oscillation_deg`` ... ``trunk_velocity_sd_dps``) are the member's own values
    from a good earlier session, if the kiosk stored them; the core score uses them instead of
    the literature norms. A standing capture leaves them None.
    """

    view: str | None = None
    facing: str | None = None
    trunk_lean_deg: float | None = None
    lateral_lean_deg: float | None = None
    head_forward_deg: float | None = None
    hip_tilt_deg: float | None = None
    samples: int = 0
    seconds: float = 0.0
    sagittal_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    hip_tilt_peak_deg: float | None = None
    trunk_velocity_sd_dps: float | None = None
    kind: str = "standing"  # "standing" | "walking"
    steps: int = 0
    version: int = BASELINE_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (floats rounded to 0.01)."""
        d = asdict(self)
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Baseline:
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored, bad numbers rejected.

        Raises ``ValueError`` naming the key when a value is not a finite number (or None).
        """
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for k, v in data.items():
            if k not in known:
                continue
            if k in ("view", "facing", "kind"):
                kwargs[k] = None if v is None else str(v)
            elif k in ("samples", "version", "steps"):
                kwargs[k] = int(v)
            elif v is None:
                kwargs[k] = None
            else:
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    raise ValueError(f"baseline {k} must be a finite number, not {v!r}")
                kwargs[k] = float(v)
        return cls(**kwargs)


class BaselineCollector:
    """Collects a :class:`Baseline` over ``seconds`` of standing still, or while walking.

    Feed frames with :meth:`add`. Frames without a usable trunk are skipped; when the hips move
    more than ``posture.baseline_still_tolerance`` torso lengths from where the stand began, the
    stand restarts (``progress`` drops back), since a moving member is not a baseline.

    Once the feet make a step, :attr:`walking` turns True and the capture restarts as a walking
    baseline (see the module doc): the hips may then wander `WALKING_TOLERANCE` torso lengths,
    and ``progress`` counts steady steps (and at least ``seconds``).
    """

    def __init__(
        self,
        seconds: float,
        *,
        posture: PostureConfig | None = None,
        view: str = "auto",
        frame_size: tuple[int, int] = (640, 480),
    ) -> None:
        if seconds <= 0:
            raise ValueError("baseline seconds must be positive")
        self.seconds = seconds
        self.cfg = posture or PostureConfig()
        self.frame_size = frame_size
        self._view = ViewDetector(
            view, self.cfg.view_front_ratio, self.cfg.view_side_ratio, self.cfg.view_switch_frames
        )
        self._facing = FacingTracker(self.cfg.facing_flip_frames, self.cfg.front_view_facing)
        self._contacts = RearFootContacts(0.05, 0.3)
        self.walking = False
        self._steps = 0  # steps since walking was noticed
        self._last_step_t: float | None = None
        self._restart()

    def _restart(self) -> None:
        self._t0: float | None = None
        self._t_last: float | None = None
        self._anchor: tuple[float, float] | None = None
        self._rows: list[tuple[float | None, float | None, float | None, float | None]] = []
        self._views: list[str] = []
        self._facings: list[str] = []

    @property
    def progress(self) -> float:
        """0..1: share of the still stand (or of the steady steps) collected."""
        if self._t0 is None or self._t_last is None:
            return 0.0
        by_time = max(0.0, min(1.0, (self._t_last - self._t0) / self.seconds))
        if not self.walking:
            return by_time
        steady = max(0, self._steps - WARMUP_STEPS)
        return min(by_time, steady / self.cfg.baseline_walking_steps)

    @property
    def steps_left(self) -> int:
        """Steady steps still needed by a walking baseline (0 when standing or done)."""
        if not self.walking:
            return 0
        need = WARMUP_STEPS + self.cfg.baseline_walking_steps
        return max(0, need - self._steps)

    @property
    def is_done(self) -> bool:
        """True once a full still stand has been collected."""
        return self.progress >= 1.0 and len(self._rows) >= 3

    def add(self, t: float, pose: Pose | None, frame_size: tuple[int, int] | None = None) -> None:
        """Feed one frame (None = nobody seen). Never raises on bad landmarks."""
        if self.is_done:
            return
        if pose is None:
            if self._t_last is not None and t - self._t_last > 1.0:
                self._restart()
            return
        lm = to_landmarks(
            pose.image, pose.world, frame_size or self.frame_size, self.cfg.visibility_gate
        )
        axes = body_axes(lm)
        hips = midpoint(lm.pts[L.LEFT_HIP], lm.pts[L.RIGHT_HIP])
        if axes is None or hips is None:
            return
        torso = axes[2]
        view = self._view.update(lm)
        facing = self._facing.update(lm, view or "side", t)
        self._count_steps(t, lm, facing)
        if self._anchor is not None:
            moved = math.hypot(hips[0] - self._anchor[0], hips[1] - self._anchor[1]) / torso
            limit = WALKING_TOLERANCE if self.walking else self.cfg.baseline_still_tolerance
            if moved > limit:
                logger.debug("baseline restarted: hips moved %.2f torso lengths", moved)
                self._restart()
                if self.walking:
                    self.walking, self._steps = False, 0
        if self.walking and self._steps < WARMUP_STEPS:
            return  # the first strides are not steady yet
        s = posture_sample(lm, view, facing, self.cfg.camera_roll_deg)
        if self._t0 is None:
            self._t0, self._anchor = t, hips
        self._t_last = t
        self._rows.append(
            (s.trunk_lean_deg, s.lateral_lean_deg, s.head_forward_deg, s.hip_tilt_deg)
        )
        if view:
            self._views.append(view)
        if facing:
            self._facings.append(facing)

    def _count_steps(self, t: float, lm: Any, facing: str | None) -> None:
        f = facing_vector(facing)
        if f is None:
            return
        found = self._contacts.update(t, foot_back(lm, "left", f), foot_back(lm, "right", f))
        last = self._last_step_t
        if not found:
            if self.walking and last is not None and t - last > STEP_GAP_S:
                # The steps stopped: back to a standing baseline.
                logger.info("the member stopped walking: back to a standing baseline")
                self.walking, self._steps = False, 0
                self._restart()
            return
        self._last_step_t = found[-1].t
        if not self.walking:
            if last is None or found[-1].t - last > STEP_GAP_S:
                return  # one contact alone is not walking
            # Feet stepping: this member walks. Start again as a walking baseline.
            logger.info("the member is walking: collecting a walking baseline")
            self.walking, self._steps = True, 1
            self._restart()
        self._steps += len(found)

    def result(self) -> Baseline | None:
        """The baseline once :attr:`is_done`, else None."""
        if not self.is_done:
            return None
        cols: list[float | None] = []
        for i in range(4):
            known = [v for r in self._rows if (v := r[i]) is not None]
            # A metric seen in under half the frames is not trusted as a reference.
            cols.append(median(known) if len(known) * 2 >= len(self._rows) else None)
        view = max(set(self._views), key=self._views.count) if self._views else None
        facing = max(set(self._facings), key=self._facings.count) if self._facings else None
        return Baseline(
            view=view,
            facing=facing,
            trunk_lean_deg=cols[0],
            lateral_lean_deg=cols[1],
            head_forward_deg=cols[2],
            hip_tilt_deg=cols[3],
            samples=len(self._rows),
            seconds=round((self._t_last or 0.0) - (self._t0 or 0.0), 2),
            kind="walking" if self.walking else "standing",
            steps=max(0, self._steps - WARMUP_STEPS) if self.walking else 0,
        )


def neutral_baseline(baseline: Baseline, band_deg: float) -> tuple[Baseline, float | None]:
    """The baseline accepted as the member's upright, and the lean it hid (None if none).

    A baseline's trunk lean is taken as neutral only within ``band_deg`` of vertical
    (``posture.neutral_band_deg``: healthy walkers hold -0.2 +/- 3.6 deg, Chung 2010). A member
    whose baseline was taken leaning further (a walking baseline taken bent forward) would have
    that lean taken in as their "upright" and never be coached for it: such a baseline is
    judged from the band's edge instead, and the measured lean is returned so the member can
    be told and the record can say it. The camera's roll is already off the angles
    (``posture.camera_roll_deg``), so a rolled camera is not mistaken for a lean here.
    """
    lean = baseline.trunk_lean_deg
    if lean is None or abs(lean) <= band_deg:
        return baseline, None
    edge = math.copysign(band_deg, lean)
    logger.info("baseline lean %.1f deg is outside +/-%.1f: judged from %.1f", lean, band_deg, edge)
    neutral = Baseline(**{**baseline.to_dict(), "trunk_lean_deg": edge})
    return neutral, lean
