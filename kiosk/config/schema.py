"""The root of the staff configuration: every section of ``backstep.toml`` as a pydantic model."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from hw.ble.settings import HeartRateConfig, TreadmillConfig
from hw.settings import GpioConfig
from kiosk.config.coaching import (
    BlockKind,
    CheckinConfig,
    CueConfig,
    ProgramBlock,
    ProgressionConfig,
    default_programs,
)
from kiosk.config.operation import (
    DashboardConfig,
    DisplayConfig,
    FleetConfig,
    LoggingConfig,
    StaffConfig,
    StorageConfig,
)
from kiosk.config.sound import SoundConfig
from kiosk.config.strict import STRICT
from vision.metrics.core_score import CoreConfig
from vision.metrics.settings import GaitConfig, PostureConfig, SafetyConfig
from vision.settings import (
    CameraConfig,
    InferenceConfig,
    ModelConfig,
    SmoothingConfig,
    ZoneConfig,
    cross_field_error,
)

__all__ = [
    "STRICT",
    "BackstepConfig",
    "BlockKind",
    "CheckinConfig",
    "CueConfig",
    "DashboardConfig",
    "DisplayConfig",
    "FleetConfig",
    "LoggingConfig",
    "ProgramBlock",
    "ProgressionConfig",
    "StaffConfig",
    "StationConfig",
    "StorageConfig",
]


class StationConfig(BaseModel):
    """Which station this is (shown on screens, stored with check-ins)."""

    model_config = STRICT

    id: str = Field(
        "station-1",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Identifier stored with every check-in and session.",
    )
    name: str = Field(
        "Backstep",
        min_length=1,
        max_length=60,
        description="Name shown on the screens (1-60 chars).",
    )


class BackstepConfig(BaseModel):
    """The whole station configuration."""

    model_config = STRICT

    station: StationConfig = Field(
        default_factory=StationConfig,
        description="Which station this is (shown on screens, stored with check-ins).",
    )
    camera: CameraConfig = Field(
        default_factory=CameraConfig,
        description="Where frames come from and how they are oriented.",
    )
    zone: ZoneConfig = Field(
        default_factory=ZoneConfig,
        description="The treadmill zone: a rectangle in normalised image coordinates (0..1).",
    )
    model: ModelConfig = Field(
        default_factory=ModelConfig, description="The pose model and its confidence thresholds."
    )
    smoothing: SmoothingConfig = Field(
        default_factory=SmoothingConfig,
        description="One Euro filter parameters for landmarks (Casiez et al., CHI 2012).",
    )
    vision: InferenceConfig = Field(
        default_factory=InferenceConfig,
        description="How pose inference uses the machine's cores (the ``[vision]`` section).",
    )
    posture: PostureConfig = Field(
        default_factory=PostureConfig,
        description="Trunk-lean limits, relative to the member's standing baseline (degrees).",
    )
    gait: GaitConfig = Field(
        default_factory=GaitConfig, description="Step and cadence analysis for backward walking."
    )
    core: CoreConfig = Field(
        default_factory=CoreConfig,
        description="The core-engagement score (0-100): a proxy, not a validated measure.",
    )
    safety: SafetyConfig = Field(
        default_factory=SafetyConfig,
        description="When the kiosk stops coaching and raises an alert.",
    )
    cues: CueConfig = Field(
        default_factory=CueConfig, description="How often and how loudly the kiosk coaches."
    )
    sound: SoundConfig = Field(
        default_factory=SoundConfig,
        description="The spoken coach: each cue's words said aloud, offline (espeak-ng).",
    )
    programs: dict[str, list[ProgramBlock]] = Field(
        default_factory=default_programs,
        description="Session programs by name, each a list of blocks ([[programs.NAME]]).",
    )
    checkin: CheckinConfig = Field(
        default_factory=CheckinConfig,
        description="Which check-in methods the station offers, and how each one reads an ID.",
    )
    progression: ProgressionConfig = Field(
        default_factory=ProgressionConfig,
        description=(
            "How the next session's suggestion grows (training advice in backward-walking.md)."
        ),
    )
    gpio: GpioConfig = Field(
        default_factory=GpioConfig,
        description="BCM pin numbers and timings; ``null`` (omitted) disables a part.",
    )
    display: DisplayConfig = Field(default_factory=DisplayConfig, description="The screen.")
    storage: StorageConfig = Field(
        default_factory=StorageConfig, description="Where sessions and members are kept."
    )
    fleet: FleetConfig = Field(
        default_factory=FleetConfig,
        description=(
            "A central PostgreSQL shared by every station of the gym (empty = this station alone)."
        ),
    )
    staff: StaffConfig = Field(
        default_factory=StaffConfig, description="Access to the staff screen."
    )
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="Log verbosity.")
    dashboard: DashboardConfig = Field(
        default_factory=DashboardConfig,
        description=(
            "The trainers' web dashboard (``backstep dashboard``): where it listens, attention "
            "rules."
        ),
    )
    treadmill: TreadmillConfig = Field(
        default_factory=TreadmillConfig,
        description="The treadmill's own readings over Bluetooth LE (FTMS), read-only.",
    )
    heart_rate: HeartRateConfig = Field(
        default_factory=HeartRateConfig,
        description="A chest strap's heart rate over Bluetooth LE, or the treadmill's.",
    )

    @model_validator(mode="after")
    def _programs_not_empty(self) -> BackstepConfig:
        if not self.programs:
            raise ValueError("at least one program is needed")
        for name, blocks in self.programs.items():
            if not blocks:
                raise cross_field_error(f"program '{name}' has no blocks", f"programs.{name}")
        return self

    @model_validator(mode="after")
    def _fall_beyond_lean_limit(self) -> BackstepConfig:
        # A fall threshold inside the lean limit would stop sessions for a mere lean.
        if self.safety.fall_lean_deg <= self.posture.absolute_forward_limit_deg:
            raise cross_field_error(
                "safety.fall_lean_deg must be greater than posture.absolute_forward_limit_deg",
                "safety.fall_lean_deg",
                "posture.absolute_forward_limit_deg",
            )
        return self
