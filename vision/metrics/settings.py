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
        description="Landmarks less visible than this (0-1) are unknown, not guessed (0.5, "
        "backward-walking.md).",
    )
    forward_warn_deg: float = Field(
        default=10.0,
        ge=5,
        le=25,
        description="Warn at this forward trunk lean beyond baseline, deg (eng.).",
    )
    forward_alert_deg: float = Field(
        default=20.0,
        ge=5,
        le=45,
        description="At this forward lean beyond baseline the leaning_forward fault becomes "
        "severity 'alert' and earns the urgent cue, deg (eng.).",
    )
    back_warn_deg: float = Field(
        default=8.0,
        ge=5,
        le=15,
        description="Warn at this backward trunk lean beyond baseline, deg (eng.).",
    )
    lateral_warn_deg: float = Field(
        default=8.0,
        ge=5,
        le=12,
        description="Warn at this sideways lean beyond baseline, deg (eng.).",
    )
    head_forward_warn_deg: float = Field(
        default=15.0,
        ge=10,
        le=25,
        description="Warn when the shoulder->ear line leans this far beyond baseline, deg (eng.).",
    )
    hip_tilt_warn_deg: float = Field(
        default=8.0,
        ge=6,
        le=10,
        description="Hip-line tilt beyond baseline counted as poor pelvis control, deg (eng.); "
        "the core score gives it 50 here.",
    )
    absolute_forward_limit_deg: float = Field(
        default=30.0,
        ge=10,
        le=60,
        description="Safety net and no-baseline limit: forward lean from vertical, deg (eng.; "
        "RULA/REBA flexion band 20-60).",
    )
    absolute_back_limit_deg: float = Field(
        default=25.0,
        ge=10,
        le=45,
        description="Safety net and no-baseline limit: backward lean, deg (REBA: >20 extension).",
    )
    absolute_lateral_limit_deg: float = Field(
        default=15.0,
        ge=5,
        le=30,
        description="Safety net and no-baseline limit: sideways lean from vertical, deg (eng.).",
    )
    absolute_head_forward_limit_deg: float = Field(
        default=40.0,
        ge=20,
        le=60,
        description="No-baseline limit for shoulder->ear from vertical, deg (LearnOpenCV: 40).",
    )
    hysteresis_deg: float = Field(
        default=2.0,
        ge=0,
        le=5,
        description="A lean state ends only this far inside its limit, so states do not "
        "flicker, deg (eng.).",
    )
    persist_s: float = Field(
        default=2.0,
        ge=1,
        le=3,
        description="A fault lasting this long becomes an event and so a cue, s (eng.); the one "
        "persistence time for every fault.",
    )
    camera_roll_deg: float = Field(
        default=0.0,
        ge=-15,
        le=15,
        description="How far the camera is rolled: the angle from image vertical of a line that "
        "is truly vertical (a door frame, the treadmill's upright, a plumb line held in view), "
        "+ when its top leans toward image right, deg. Staff measure it once when mounting the "
        "camera (a spirit level on the camera, or the line's angle in a still); it is taken "
        "off every trunk angle, so a rolled camera is never read as a lean. 0 = level.",
    )
    neutral_band_deg: float = Field(
        default=3.6,
        ge=1,
        le=10,
        description="A baseline's trunk lean is accepted as the member's upright only within "
        "this many degrees of vertical (healthy walkers: -0.2 +/- 3.6 deg, Chung 2010); "
        "outside it, lean is judged from the band's edge and the member is told.",
    )
    fault_dip_s: float = Field(
        default=1.0,
        ge=0,
        le=3,
        description="A fault whose condition lapses for less than this keeps going (no "
        "clear, no new cue): a dip in the landmarks is no correction, s (eng.).",
    )
    incline_percent: float = Field(
        default=0.0,
        ge=0,
        le=15,
        description="Deck incline, %; the deck tilts by atan(grade) (5% = 2.9 deg) and that "
        "much lean toward the face counts as neutral. 0 = no correction.",
    )
    baseline_seconds: float = Field(
        default=3.0, ge=1, le=10, description="Standing-still time the baseline needs, s (eng.)."
    )
    baseline_still_tolerance: float = Field(
        default=0.1,
        ge=0.02,
        le=0.5,
        description="Hips moving more than this (torso lengths) restart the baseline: the "
        "member must stand still (eng.).",
    )
    baseline_walking_steps: int = Field(
        default=6,
        ge=2,
        le=30,
        description="A member who is already walking gets a walking baseline: the median "
        "posture over this many steady steps, after two warm-up steps (eng.: three strides).",
    )
    view_front_ratio: float = Field(
        default=0.45,
        ge=0.2,
        le=1.0,
        description="camera.view = auto: shoulder width / torso length above this means a "
        "front or back view (front ~0.7, side ~0.15; eng.).",
    )
    view_side_ratio: float = Field(
        default=0.3,
        ge=0.05,
        le=0.8,
        description="camera.view = auto: below this ratio means a side view (eng.).",
    )
    view_switch_frames: int = Field(
        default=15,
        ge=1,
        le=120,
        description="camera.view = auto: frames in a row the other view must show before the "
        "view changes (15 = 0.5 s at 30 fps; eng.).",
    )
    facing_flip_frames: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Frames a new facing must hold before it replaces the old one (eng.).",
    )
    front_view_facing: Literal["auto", "camera", "away"] = Field(
        default="auto",
        description="In a front view (camera in line with the belt), which way the member "
        "faces: 'away' when the camera stands behind them (for a backward walker: at the "
        "console end), 'camera' when in front of them; 'auto' reads it from the face, which "
        "MediaPipe reports as visible from behind too, so set it for a camera behind.",
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
        description="Trunk fore-aft range per stride (side view) that counts as poor control, "
        "deg (eng.; norm 4.0 +/- 1.8, Chung 2010); the core score gives it 50 here.",
    )
    lateral_sway_warn_deg: float = Field(
        default=7.0,
        ge=5,
        le=9,
        description="Trunk sideways range per stride (front view) that counts as poor control, "
        "deg (eng.; norm 3.3 +/- 1.4, Chung 2010); the core score gives it 50 here.",
    )
    cadence_min_spm: float = Field(
        default=70.0,
        ge=30,
        le=150,
        description="Slower cadence is a fault, steps/min (eng.: 70-120 at 1-2 mph).",
    )
    cadence_max_spm: float = Field(
        default=120.0, ge=60, le=200, description="Faster cadence is a fault, steps/min (eng.)."
    )
    cadence_window_s: float = Field(
        default=10.0,
        ge=3,
        le=60,
        description="Cadence, step-time CV and symmetry use the steps of this many seconds.",
    )
    step_hysteresis_m: float = Field(
        default=0.05,
        ge=0.01,
        le=0.2,
        description="A foot must move this far back from its rearmost point before that "
        "point counts as a toe contact, m (world landmarks; eng.).",
    )
    min_step_s: float = Field(
        default=0.3,
        ge=0.15,
        le=1,
        description="Two foot contacts closer than this are one touch-down seen twice (a "
        "left/right swap by the model), s (eng.: 200 steps/min, far above backward walking).",
    )
    cadence_settle_steps: int = Field(
        default=5,
        ge=3,
        le=20,
        description="Cadence is judged (a cadence fault is possible) only once this many "
        "steps agree, steps (eng.: the issue asks for convergence within about five).",
    )
    stride_window: int = Field(
        default=6,
        ge=1,
        le=30,
        description="Per-stride trunk oscillation and sway average this many recent strides.",
    )
    velocity_window_s: float = Field(
        default=5.0,
        ge=1,
        le=30,
        description="Trunk angular-velocity variability uses this many seconds, s (eng.).",
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
        description="A sudden trunk lean beyond this from vertical (any direction) is a fall, "
        "deg (eng.).",
    )
    fall_rise_deg: float = Field(
        default=20.0,
        ge=5,
        le=60,
        description="'Sudden': the lean grew at least this much within fall_window_s, deg (eng.).",
    )
    fall_window_s: float = Field(
        default=1.0, ge=0.2, le=3, description="Time span for fall_rise_deg, s (eng.)."
    )
    member_lost_s: float = Field(
        default=2.0,
        ge=0.5,
        le=10,
        description="No person this long during a session raises 'member_lost', s (eng.).",
    )
    drift_back_limit: float = Field(
        default=0.85,
        ge=0.5,
        le=1.0,
        description="Position in the zone (0 front, 1 back of the belt) that is too far back "
        "(eng.).",
    )
    drift_warn: float = Field(
        default=0.7,
        ge=0.3,
        le=1.0,
        description="Position in the zone beyond which the member is coached to take longer "
        "steps back toward the console (a 'drift' fault once it lasts posture.persist_s); "
        "must be nearer the front than drift_back_limit, so coaching comes before the alert "
        "(eng.).",
    )
    console_warn: float = Field(
        default=0.15,
        ge=0.0,
        le=0.4,
        description="Position in the zone (0 = the console end) nearer than which the member "
        "is coached to slow down (a 'console' fault): a backward walker cannot see the "
        "console behind them (eng.; 0 switches it off).",
    )
    drift_persist_s: float = Field(
        default=2.0,
        ge=0.5,
        le=10,
        description="Beyond drift_back_limit this long raises 'drift_back', s.",
    )
    front_view_drift: bool = Field(
        default=False,
        description="In a front view, estimate belt position from the feet's height in the "
        "zone; only valid when the zone's top and bottom edges are the belt's far and near "
        "ends. Off: drift is unknown in a front view.",
    )
    belt_rear: Literal["facing", "behind"] = Field(
        default="facing",
        description="Where the back of the belt is: 'facing' = the way the member faces (usual "
        "retro set-up: back to the console, the belt carries them toward their face); "
        "'behind' = behind the member.",
    )

    console_side: Literal["auto", "left", "right"] = Field(
        default="auto",
        description="Side view: the image side (camera image, not the mirrored display) the "
        "treadmill's console is on. 'auto' learns it from the first walking block, taking the "
        "member to face as that block asks. Set it and every block's belt ends, drift cues "
        "and a member walking the wrong way are judged from where the console really is.",
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
