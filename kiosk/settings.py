"""The root of the staff configuration: every section of ``backstep.toml`` as a pydantic model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hw.settings import GpioConfig
from vision.analysis_settings import CoreConfig, GaitConfig, PostureConfig, SafetyConfig
from vision.settings import CameraConfig, ModelConfig, SmoothingConfig, ZoneConfig

STRICT = ConfigDict(extra="forbid", validate_assignment=True)


class StationConfig(BaseModel):
    """Which station this is (shown on screens, stored with check-ins)."""

    model_config = STRICT

    id: str = Field("station-1", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field("Backstep", min_length=1, max_length=60)


class CueConfig(BaseModel):
    """How often and how loudly the kiosk coaches."""

    model_config = STRICT

    persist_s: float = Field(2.0, ge=1, le=3, description="A fault must last this long.")
    cooldown_s: float = Field(10.0, ge=2, le=120, description="Before the same cue again.")
    min_display_s: float = Field(2.0, ge=1, le=10, description="A cue stays at least this.")
    max_per_minute: int = Field(6, ge=1, le=30)
    encouragement_every_s: float = Field(30.0, ge=5, le=300)
    sound: bool = True
    volume: float = Field(0.6, ge=0, le=1)


BlockKind = Literal["warmup", "backward", "forward", "rest", "cooldown"]


class ProgramBlock(BaseModel):
    """One block of a session program."""

    model_config = STRICT

    kind: BlockKind
    minutes: float = Field(gt=0, le=60)
    name: str | None = Field(None, max_length=30)
    speed_mph: float | None = Field(None, gt=0, le=6)
    incline_percent: float | None = Field(None, ge=0, le=15)


def _default_programs() -> dict[str, list[ProgramBlock]]:
    return {
        "starter": [
            ProgramBlock(kind="warmup", minutes=2, speed_mph=2.0),
            ProgramBlock(kind="backward", minutes=2.5, speed_mph=1.0),
            ProgramBlock(kind="cooldown", minutes=2, speed_mph=1.5),
        ],
    }


class CheckinConfig(BaseModel):
    """Which check-in methods the station offers."""

    model_config = STRICT

    qr: bool = True
    card: bool = True
    buttons: bool = True
    guest: bool = True


class DisplayConfig(BaseModel):
    """The screen."""

    model_config = STRICT

    width: int = Field(800, ge=320, le=3840)
    height: int = Field(480, ge=240, le=2160)
    fullscreen: bool = True
    driver: Literal["auto", "kmsdrm", "x11", "wayland", "dummy", "offscreen"] = "auto"
    fps: int = Field(30, ge=10, le=60)


class StorageConfig(BaseModel):
    """Where sessions and members are kept."""

    model_config = STRICT

    data_dir: Path | None = Field(None, description="Empty = the user data directory.")
    retention_days: int = Field(365, ge=1, le=3650, description="Samples older are deleted.")
    save_frames: bool = Field(False, description="Debug only: writes camera frames to disk.")


class StaffConfig(BaseModel):
    """Access to the staff screen."""

    model_config = STRICT

    pin: str = Field("2468", pattern=r"^[0-9]{4,8}$")


class LoggingConfig(BaseModel):
    """Log verbosity."""

    model_config = STRICT

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class BackstepConfig(BaseModel):
    """The whole station configuration."""

    model_config = STRICT

    station: StationConfig = Field(default_factory=StationConfig)
    camera: CameraConfig = Field(default_factory=CameraConfig)
    zone: ZoneConfig = Field(default_factory=ZoneConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    smoothing: SmoothingConfig = Field(default_factory=SmoothingConfig)
    posture: PostureConfig = Field(default_factory=PostureConfig)
    gait: GaitConfig = Field(default_factory=GaitConfig)
    core: CoreConfig = Field(default_factory=CoreConfig)
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    cues: CueConfig = Field(default_factory=CueConfig)
    programs: dict[str, list[ProgramBlock]] = Field(default_factory=_default_programs)
    checkin: CheckinConfig = Field(default_factory=CheckinConfig)
    gpio: GpioConfig = Field(default_factory=GpioConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    staff: StaffConfig = Field(default_factory=StaffConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    @model_validator(mode="after")
    def _programs_not_empty(self) -> BackstepConfig:
        if not self.programs:
            raise ValueError("at least one program is needed")
        for name, blocks in self.programs.items():
            if not blocks:
                raise ValueError(f"program '{name}' has no blocks")
        return self
