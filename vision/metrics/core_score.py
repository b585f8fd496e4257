"""The core-engagement score (0-100): trunk-control proxies against the member's own reference.

No validated camera measure of core engagement exists (backward-walking.md). This score is a
documented proxy for trends, never a diagnosis. Terms (each needs its view):

====================  =========================================  ===================  =======
term                  value                                      reference (norm)     warn
====================  =========================================  ===================  =======
sagittal oscillation  fore-aft trunk range per stride (side)     4.0 deg, Chung 2010  8 deg
lateral sway          sideways trunk range per stride (front)    3.3 deg, Chung 2010  7 deg
hip tilt              peak hip-line tilt from baseline (front)   5 deg                8 deg
angular velocity      SD of trunk angular velocity (any view)    15 deg/s (eng.)      30 deg/s
====================  =========================================  ===================  =======

For each term: ``excess = max(0, value - ref) / (warn - ref)`` and
``term = clamp(1 - excess / 2, 0, 1)`` — 1 at or below the reference, 0.5 at the warn level,
0 at twice that distance. ``score = 100 * sum(w_i * term_i) / sum(w_i)`` over the terms that
are known, with the weights from :class:`CoreConfig`. The reference is
the member's own value when their baseline carries one (e.g. from an earlier good session),
else the literature norm; a reference above the warn level is capped just below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field, model_validator

from vision.metrics.settings import GaitConfig, PostureConfig
from vision.settings import STRICT, cross_field_error


class CoreConfig(BaseModel):
    """The core-engagement score (0-100): a proxy, not a validated measure.

    No camera measure of core engagement is validated. The score combines four trunk-control
    proxies (backward-walking.md), each compared with the member's own reference (from their
    baseline) or, without one, the literature norm: per term, ``excess = max(0, value - norm) /
    (warn - norm)`` and ``term = clamp(1 - excess / 2, 0, 1)`` (100 at or under the norm, 50 at
    the warn level, 0 at twice as far); the score is ``100 * sum(w * term) / sum(w)`` over the
    terms this view can see. Show it as a score and a trend, never as a diagnosis.
    """

    model_config = STRICT

    weight_lateral_sway: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "Weights of the four terms, 0-10 each, default 1 (eng.); 0 switches a term off: "
            "sideways sway (front view), fore-aft oscillation (side view), hip-line tilt (front "
            "view), trunk angular-velocity variability (any view)."
        ),
    )
    weight_sagittal_oscillation: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "Weights of the four terms, 0-10 each, default 1 (eng.); 0 switches a term off: "
            "sideways sway (front view), fore-aft oscillation (side view), hip-line tilt (front "
            "view), trunk angular-velocity variability (any view)."
        ),
    )
    weight_hip_tilt: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "Weights of the four terms, 0-10 each, default 1 (eng.); 0 switches a term off: "
            "sideways sway (front view), fore-aft oscillation (side view), hip-line tilt (front "
            "view), trunk angular-velocity variability (any view)."
        ),
    )
    weight_angular_velocity: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "Weights of the four terms, 0-10 each, default 1 (eng.); 0 switches a term off: "
            "sideways sway (front view), fore-aft oscillation (side view), hip-line tilt (front "
            "view), trunk angular-velocity variability (any view)."
        ),
    )
    sagittal_norm_deg: float = Field(
        default=4.0,
        ge=1,
        le=8,
        description=(
            "Norms per stride, degrees, 1-8: fore-aft trunk range, default 4.0 (Chung 2010); "
            "sideways trunk range, default 3.3 (Chung 2010); hip-line tilt peak beyond baseline, "
            "default 5 (pelvis level about +/-5, backward-walking.md)."
        ),
    )
    lateral_norm_deg: float = Field(
        default=3.3,
        ge=1,
        le=8,
        description=(
            "Norms per stride, degrees, 1-8: fore-aft trunk range, default 4.0 (Chung 2010); "
            "sideways trunk range, default 3.3 (Chung 2010); hip-line tilt peak beyond baseline, "
            "default 5 (pelvis level about +/-5, backward-walking.md)."
        ),
    )
    hip_tilt_norm_deg: float = Field(
        default=5.0,
        ge=1,
        le=8,
        description=(
            "Norms per stride, degrees, 1-8: fore-aft trunk range, default 4.0 (Chung 2010); "
            "sideways trunk range, default 3.3 (Chung 2010); hip-line tilt peak beyond baseline, "
            "default 5 (pelvis level about +/-5, backward-walking.md)."
        ),
    )
    angular_velocity_norm_dps: float = Field(
        default=15.0,
        ge=1,
        le=60,
        description=(
            "SD of trunk angular velocity (0.1 s differences), deg/s: the norm, 1-60, default 15 "
            "(eng.: a 4 deg range per stride at 100 steps/min gives about 15), and the value "
            "scored 50, 2-120, default 30, greater than the norm (eng.)."
        ),
    )
    angular_velocity_warn_dps: float = Field(
        default=30.0,
        ge=2,
        le=120,
        description=(
            "SD of trunk angular velocity (0.1 s differences), deg/s: the norm, 1-60, default 15 "
            "(eng.: a 4 deg range per stride at 100 steps/min gives about 15), and the value "
            "scored 50, 2-120, default 30, greater than the norm (eng.)."
        ),
    )
    fault_below: float = Field(
        default=40.0,
        ge=0,
        le=100,
        description='A core score below this for posture.persist_s is a "core" fault, 0-100.',
    )

    @model_validator(mode="after")
    def _norm_below_warn(self) -> CoreConfig:
        if self.angular_velocity_warn_dps <= self.angular_velocity_norm_dps:
            raise cross_field_error(
                "angular_velocity_warn_dps must be greater than angular_velocity_norm_dps",
                "angular_velocity_warn_dps",
                "angular_velocity_norm_dps",
            )
        return self


@dataclass(slots=True, frozen=True)
class CoreInputs:
    """The per-stride and rolling values the score is made of (None = unknown)."""

    sagittal_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    hip_tilt_peak_deg: float | None = None
    trunk_velocity_sd_dps: float | None = None


@dataclass(slots=True, frozen=True)
class CoreReference:
    """The member's own reference values; None falls back to the norm in :class:`CoreConfig`."""

    sagittal_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    hip_tilt_peak_deg: float | None = None
    trunk_velocity_sd_dps: float | None = None


def term_score(value: float, ref: float, warn: float) -> float:
    """One term in [0, 1]: 1 at or below ``ref``, 0.5 at ``warn``, 0 at twice that distance."""
    ref = min(ref, warn * 0.95)  # a reference at or above the warn level would divide by ~0
    excess = max(0.0, value - ref) / (warn - ref)
    return max(0.0, min(1.0, 1.0 - 0.5 * excess))


def core_score(
    inputs: CoreInputs,
    core: CoreConfig,
    gait: GaitConfig,
    posture: PostureConfig,
    reference: CoreReference | None = None,
) -> float | None:
    """The score 0-100 (see the module docstring), or None when no weighted term is known."""
    ref = reference or CoreReference()
    terms = (
        (
            inputs.sagittal_oscillation_deg,
            core.weight_sagittal_oscillation,
            ref.sagittal_oscillation_deg or core.sagittal_norm_deg,
            gait.sagittal_oscillation_warn_deg,
        ),
        (
            inputs.lateral_sway_deg,
            core.weight_lateral_sway,
            ref.lateral_sway_deg or core.lateral_norm_deg,
            gait.lateral_sway_warn_deg,
        ),
        (
            inputs.hip_tilt_peak_deg,
            core.weight_hip_tilt,
            ref.hip_tilt_peak_deg or core.hip_tilt_norm_deg,
            posture.hip_tilt_warn_deg,
        ),
        (
            inputs.trunk_velocity_sd_dps,
            core.weight_angular_velocity,
            ref.trunk_velocity_sd_dps or core.angular_velocity_norm_dps,
            core.angular_velocity_warn_dps,
        ),
    )
    total = 0.0
    weights = 0.0
    for value, w, r, warn in terms:
        if value is None or w <= 0:
            continue
        total += w * term_score(value, r, warn)
        weights += w
    if weights <= 0:
        return None
    return 100.0 * total / weights
