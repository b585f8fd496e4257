"""Configuration sections for posture, gait, core-engagement and safety analysis."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from vision.settings import STRICT


class PostureConfig(BaseModel):
    """Trunk-lean limits, relative to the member's standing baseline (degrees)."""

    model_config = STRICT

    visibility_gate: float = Field(0.5, ge=0.3, le=0.6)
    forward_warn_deg: float = Field(10.0, ge=5, le=25)
    forward_alert_deg: float = Field(20.0, ge=5, le=45)
    back_warn_deg: float = Field(8.0, ge=5, le=15)
    lateral_warn_deg: float = Field(8.0, ge=5, le=12)
    head_forward_warn_deg: float = Field(15.0, ge=10, le=25)
    hip_tilt_warn_deg: float = Field(8.0, ge=6, le=10)
    absolute_forward_limit_deg: float = Field(30.0, ge=10, le=60)
    absolute_back_limit_deg: float = Field(25.0, ge=10, le=45)
    absolute_lateral_limit_deg: float = Field(15.0, ge=5, le=30)
    hysteresis_deg: float = Field(2.0, ge=0, le=5)
    persist_s: float = Field(2.0, ge=1, le=3)
    incline_percent: float = Field(0.0, ge=0, le=15)
    baseline_seconds: float = Field(3.0, ge=1, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> PostureConfig:
        if self.forward_alert_deg <= self.forward_warn_deg:
            raise ValueError("forward_alert_deg must be greater than forward_warn_deg")
        return self


class GaitConfig(BaseModel):
    """Step and cadence analysis for backward walking."""

    model_config = STRICT

    sagittal_oscillation_warn_deg: float = Field(8.0, ge=6, le=10)
    lateral_sway_warn_deg: float = Field(7.0, ge=5, le=9)
    cadence_min_spm: float = Field(70.0, ge=30, le=150)
    cadence_max_spm: float = Field(120.0, ge=60, le=200)
    cadence_window_s: float = Field(10.0, ge=3, le=60)

    @model_validator(mode="after")
    def _ordered(self) -> GaitConfig:
        if self.cadence_max_spm <= self.cadence_min_spm:
            raise ValueError("cadence_max_spm must be greater than cadence_min_spm")
        return self


class CoreConfig(BaseModel):
    """Weights of the core-engagement score's terms (need not sum to 1)."""

    model_config = STRICT

    weight_lateral_sway: float = Field(1.0, ge=0, le=10)
    weight_sagittal_oscillation: float = Field(1.0, ge=0, le=10)
    weight_hip_tilt: float = Field(1.0, ge=0, le=10)
    weight_angular_velocity: float = Field(1.0, ge=0, le=10)


class SafetyConfig(BaseModel):
    """When the kiosk stops coaching and raises an alert."""

    model_config = STRICT

    fall_lean_deg: float = Field(45.0, ge=25, le=80)
    member_lost_s: float = Field(2.0, ge=0.5, le=10)
    drift_back_limit: float = Field(0.85, ge=0.5, le=1.0)
    drift_persist_s: float = Field(2.0, ge=0.5, le=10)
