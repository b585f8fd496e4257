"""Configuration sections for posture, gait and safety analysis (the core score's is beside it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from vision.settings import STRICT, cross_field_error


class PostureConfig(BaseModel):
    """Trunk-lean limits, relative to the member's standing baseline (degrees)."""

    model_config = STRICT

    visibility_gate: float = Field(
        default=0.5,
        ge=0.3,
        le=0.6,
        description="Landmarks less visible than this (0-1) are unknown, not guessed, 0.3-0.6.",
    )
    forward_warn_deg: float = Field(
        default=10.0, ge=5, le=25, description="Forward trunk lean that earns a cue, 5-25."
    )
    forward_alert_deg: float = Field(
        default=20.0,
        ge=5,
        le=45,
        description=(
            'Forward lean that earns an urgent cue ("you are bending far forward": the fault\'s '
            'severity becomes "alert"), 5-45, greater than forward_warn_deg.'
        ),
    )
    back_warn_deg: float = Field(
        default=8.0, ge=5, le=15, description="Backward trunk lean that earns a cue, 5-15."
    )
    lateral_warn_deg: float = Field(
        default=8.0,
        ge=5,
        le=12,
        description="Sideways trunk lean that earns a cue (front view), 5-12.",
    )
    head_forward_warn_deg: float = Field(
        default=15.0,
        ge=10,
        le=25,
        description="Head forward (shoulder->ear line) that earns a cue, 10-25.",
    )
    hip_tilt_warn_deg: float = Field(
        default=8.0,
        ge=6,
        le=10,
        description=(
            "Hip-line tilt counted as poor pelvis control (front view; the core score gives it 50"
            " here), 6-10."
        ),
    )
    absolute_forward_limit_deg: float = Field(
        default=30.0,
        ge=10,
        le=60,
        description=(
            "Safety-net limits from vertical, used also before a baseline exists; each must be "
            "greater than its warning."
        ),
    )
    absolute_back_limit_deg: float = Field(
        default=25.0,
        ge=10,
        le=45,
        description=(
            "Safety-net limits from vertical, used also before a baseline exists; each must be "
            "greater than its warning."
        ),
    )
    absolute_lateral_limit_deg: float = Field(
        default=15.0,
        ge=5,
        le=30,
        description=(
            "Safety-net limits from vertical, used also before a baseline exists; each must be "
            "greater than its warning."
        ),
    )
    absolute_head_forward_limit_deg: float = Field(
        default=40.0,
        ge=20,
        le=60,
        description="Head forward (shoulder->ear) from vertical without a baseline, 20-60.",
    )
    hysteresis_deg: float = Field(
        default=2.0,
        ge=0,
        le=5,
        description=(
            "A lean state ends only this far inside its limit, so states do not flicker, 0-5."
        ),
    )
    persist_s: float = Field(
        default=2.0,
        ge=1,
        le=3,
        description="A fault lasting this long becomes an event and so a cue, seconds, 1-3.",
    )
    camera_roll_deg: float = Field(
        default=0.0,
        ge=-15,
        le=15,
        description=(
            "How far the camera is rolled, degrees, -15 to 15: the angle from image vertical of "
            "a line that is truly vertical (a door frame, the treadmill's upright, a plumb line "
            "held in view), + when its top leans toward image right."
        ),
    )
    neutral_band_deg: float = Field(
        default=3.6,
        ge=1,
        le=10,
        description=(
            "A baseline's trunk lean counts as the member's upright only within this many "
            "degrees of vertical, 1-10 (healthy walkers: -0.2 +/- 3.6 deg, Chung 2010)."
        ),
    )
    fault_dip_s: float = Field(
        default=1.0,
        ge=0,
        le=3,
        description=(
            "A fault whose condition lapses for less than this keeps going (no clear, no new "
            "cue, an escalated cue stays escalated), seconds, 0-3."
        ),
    )
    incline_percent: float = Field(
        default=0.0,
        ge=0,
        le=15,
        description=(
            "Treadmill incline, percent, 0-15: the deck tilts by atan(grade) (5% = 2.9 deg, 10% ="
            " 5.7 deg) and that much lean toward the face counts as neutral."
        ),
    )
    baseline_seconds: float = Field(
        default=3.0,
        ge=1,
        le=10,
        description="Standing-still time the baseline needs, seconds, 1-10.",
    )
    baseline_still_tolerance: float = Field(
        default=0.1,
        ge=0.02,
        le=0.5,
        description=(
            "Hips moving more than this (in torso lengths) restart the baseline capture: the "
            "member must stand still, 0.02-0.5."
        ),
    )
    baseline_walking_steps: int = Field(
        default=6,
        ge=2,
        le=30,
        description=(
            "A member who is already walking on the belt gets a walking baseline instead: the "
            "median posture over this many steady steps, after two warm-up steps, 2-30."
        ),
    )
    view_front_ratio: float = Field(
        default=0.45,
        ge=0.2,
        le=1.0,
        description=(
            'camera.view = "auto": shoulder width / torso length above view_front_ratio (0.2-1.0,'
            " default 0.45) means a front or back view, below view_side_ratio (0.05-0.8, default "
            "0.3, less than view_front_ratio) a side view (eng.; front ~0.7, side ~0.15)."
        ),
    )
    view_side_ratio: float = Field(
        default=0.3,
        ge=0.05,
        le=0.8,
        description=(
            'camera.view = "auto": shoulder width / torso length above view_front_ratio (0.2-1.0,'
            " default 0.45) means a front or back view, below view_side_ratio (0.05-0.8, default "
            "0.3, less than view_front_ratio) a side view (eng.; front ~0.7, side ~0.15)."
        ),
    )
    view_switch_frames: int = Field(
        default=15,
        ge=1,
        le=120,
        description=(
            'camera.view = "auto": frames in a row the other view must show before the view '
            "changes, 1-120."
        ),
    )
    facing_flip_frames: int = Field(
        default=5,
        ge=1,
        le=60,
        description=(
            "Frames a new facing direction must hold before it replaces the old one, 1-60."
        ),
    )
    front_view_facing: Literal["auto", "camera", "away"] = Field(
        default="auto",
        description=(
            "In a front view (the camera in line with the belt), which way the member faces: "
            '"away" when the camera stands behind them (for a backward walker: at the console '
            'end), "camera" when it is in front of them, "auto" to read it from the face.'
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> PostureConfig:
        if self.forward_alert_deg <= self.forward_warn_deg:
            raise cross_field_error(
                "forward_alert_deg must be greater than forward_warn_deg",
                "forward_alert_deg",
                "forward_warn_deg",
            )
        # An absolute safety-net limit below its relative warning would fire first and hide it.
        for limit, warn in (
            ("absolute_forward_limit_deg", "forward_alert_deg"),
            ("absolute_back_limit_deg", "back_warn_deg"),
            ("absolute_lateral_limit_deg", "lateral_warn_deg"),
        ):
            if getattr(self, limit) <= getattr(self, warn):
                raise cross_field_error(f"{limit} must be greater than {warn}", limit, warn)
        if self.view_side_ratio >= self.view_front_ratio:
            raise cross_field_error(
                "view_side_ratio must be below view_front_ratio",
                "view_side_ratio",
                "view_front_ratio",
            )
        return self


class GaitConfig(BaseModel):
    """Step and cadence analysis for backward walking."""

    model_config = STRICT

    sagittal_oscillation_warn_deg: float = Field(
        default=8.0,
        ge=6,
        le=10,
        description=(
            "Trunk fore-aft range per stride (side view) counted as poor control; the core score "
            "gives it 50 here."
        ),
    )
    lateral_sway_warn_deg: float = Field(
        default=7.0,
        ge=5,
        le=9,
        description=(
            "Trunk sideways range per stride (front view) counted as poor control; the core score"
            " gives it 50 here."
        ),
    )
    cadence_min_spm: float = Field(
        default=70.0,
        ge=30,
        le=150,
        description=(
            "Cadence outside these limits is a fault, steps/min: min 30-150 (default 70), max "
            "60-200 (default 120), max greater than min (eng.: 70-120 at 1-2 mph, "
            "backward-walking.md; backward walkers take shorter strides at a cadence similar to "
            "forward walking at a self-selected speed, Laufer 2005)."
        ),
    )
    cadence_max_spm: float = Field(
        default=120.0,
        ge=60,
        le=200,
        description=(
            "Cadence outside these limits is a fault, steps/min: min 30-150 (default 70), max "
            "60-200 (default 120), max greater than min (eng.: 70-120 at 1-2 mph, "
            "backward-walking.md; backward walkers take shorter strides at a cadence similar to "
            "forward walking at a self-selected speed, Laufer 2005)."
        ),
    )
    cadence_window_s: float = Field(
        default=10.0,
        ge=3,
        le=60,
        description=(
            "Cadence, step-time variability and symmetry use the steps of this many seconds, 3-60."
        ),
    )
    step_hysteresis_m: float = Field(
        default=0.05,
        ge=0.01,
        le=0.2,
        description=(
            "A foot must move this far back from its rearmost point before that point counts as a"
            " toe contact (backward steps land toe first, Laufer 2005), metres, 0.01-0.2."
        ),
    )
    min_step_s: float = Field(
        default=0.3,
        ge=0.15,
        le=1,
        description=(
            "Two foot contacts closer than this are one touch-down seen twice (the pose model "
            "swaps the legs for a frame or two in a side view), seconds, 0.15-1."
        ),
    )
    cadence_settle_steps: int = Field(
        default=5,
        ge=3,
        le=20,
        description=(
            'Cadence is judged (a "cadence" cue is possible) only once this many steps agree, 3-20.'
        ),
    )
    stride_window: int = Field(
        default=6,
        ge=1,
        le=30,
        description=(
            "Per-stride trunk oscillation and sway average this many recent strides, 1-30."
        ),
    )
    velocity_window_s: float = Field(
        default=5.0,
        ge=1,
        le=30,
        description="Trunk angular-velocity variability uses this many seconds, 1-30.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> GaitConfig:
        if self.cadence_max_spm <= self.cadence_min_spm:
            raise cross_field_error(
                "cadence_max_spm must be greater than cadence_min_spm",
                "cadence_max_spm",
                "cadence_min_spm",
            )
        return self


class SafetyConfig(BaseModel):
    """When the kiosk stops coaching and raises an alert."""

    model_config = STRICT

    fall_lean_deg: float = Field(
        default=45.0,
        ge=25,
        le=80,
        description=(
            "A sudden trunk lean beyond this from vertical (any direction) is a fall: coaching "
            "stops and staff are alerted."
        ),
    )
    fall_rise_deg: float = Field(
        default=20.0,
        ge=5,
        le=60,
        description=(
            '"Sudden": the lean grew at least fall_rise_deg (degrees, 5-60, default 20) within '
            "fall_window_s (seconds, 0.2-3, default 1) (eng.)."
        ),
    )
    fall_window_s: float = Field(
        default=1.0,
        ge=0.2,
        le=3,
        description=(
            '"Sudden": the lean grew at least fall_rise_deg (degrees, 5-60, default 20) within '
            "fall_window_s (seconds, 0.2-3, default 1) (eng.)."
        ),
    )
    member_lost_s: float = Field(
        default=2.0,
        ge=0.5,
        le=10,
        description='No person this long during a session raises "member lost", seconds, 0.5-10.',
    )
    drift_back_limit: float = Field(
        default=0.85,
        ge=0.5,
        le=1.0,
        description=(
            "Position in the zone (0 front, 1 back of the belt) that is too far back, 0.5-1.0."
        ),
    )
    drift_warn: float = Field(
        default=0.7,
        ge=0.3,
        le=1.0,
        description=(
            "Position in the zone beyond which the member, carried by the belt toward the end "
            'they face, is coached "longer steps back toward the console" (a "drift" fault once '
            "it lasts posture.persist_s), 0.3-1.0, below drift_back_limit so coaching comes "
            "before the alert."
        ),
    )
    console_warn: float = Field(
        default=0.15,
        ge=0.0,
        le=0.4,
        description=(
            "Position in the zone (0 = the console end) nearer than which the member is coached "
            'to slow down (a "console" fault): a backward walker cannot see the console behind '
            "them. 0-0.4, 0 switches it off."
        ),
    )
    drift_persist_s: float = Field(
        default=2.0,
        ge=0.5,
        le=10,
        description='Beyond drift_back_limit this long raises "drift back", seconds, 0.5-10.',
    )
    front_view_drift: bool = Field(
        default=False,
        description=(
            "In a front view, estimate belt position from the feet's height in the zone; only "
            "valid when the zone's top and bottom edges are the belt's far and near ends."
        ),
    )
    belt_rear: Literal["facing", "behind"] = Field(
        default="facing",
        description=(
            'Where the back of the belt is: "facing" = the way the member faces (the usual retro '
            'set-up: back to the console, the belt carries them toward their face); "behind" = '
            "behind the member."
        ),
    )

    console_side: Literal["auto", "left", "right"] = Field(
        default="auto",
        description=(
            "Side view: the image side the treadmill's console is on (the camera's image, not "
            "the mirrored screen)"
        ),
    )

    @model_validator(mode="after")
    def _warn_before_limit(self) -> SafetyConfig:
        if self.drift_warn >= self.drift_back_limit:
            raise cross_field_error(
                "drift_warn must be below drift_back_limit",
                "drift_warn",
                "drift_back_limit",
            )
        return self
