"""The root of the staff configuration: every section of ``backstep.toml`` as a pydantic model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hw.settings import GpioConfig
from vision.metrics.core_score import CoreConfig
from vision.metrics.settings import GaitConfig, PostureConfig, SafetyConfig
from vision.settings import (
    CameraConfig,
    InferenceConfig,
    ModelConfig,
    SmoothingConfig,
    ZoneConfig,
    cross_field_error,
    empty_to_none,
)

STRICT = ConfigDict(extra="forbid", validate_assignment=True)


class StationConfig(BaseModel):
    """Which station this is (shown on screens, stored with check-ins)."""

    model_config = STRICT

    id: str = Field("station-1", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field("Backstep", min_length=1, max_length=60)


class CueConfig(BaseModel):
    """How often and how loudly the kiosk coaches.

    Whether a fault exists and has lasted is decided by the analyzer (``posture.persist_s``,
    ``core.fault_below``, ``safety.drift_warn``); these settings only say what to show.
    """

    model_config = STRICT

    cooldown_s: float = Field(10.0, ge=2, le=120, description="Before the same cue again.")
    min_display_s: float = Field(2.0, ge=1, le=10, description="A cue stays at least this.")
    max_per_minute: int = Field(6, ge=1, le=30)
    encouragement_every_s: float = Field(30.0, ge=5, le=300)
    display_s: float = Field(
        4.0, ge=1, le=15, description="How long praise and encouragement stay up."
    )
    safety_display_s: float = Field(
        5.0, ge=2, le=30, description="A safety alert stays this long after its last event."
    )
    steps_window: int = Field(
        6, ge=3, le=20, description="Recent steps judged for toe-first contact (Laufer 2005)."
    )
    reminder_every_s: float = Field(
        20.0, ge=5, le=120, description="While a fault lasts, its cue sounds again this often."
    )
    escalate_after_s: float = Field(
        45.0, ge=10, le=300, description="A fault lasting this long gets the firmer cue."
    )
    praise_hold_s: float = Field(
        3.0, ge=0, le=15, description="Praise only once a correction has held this long."
    )
    dropout_grace_s: float = Field(
        1.0, ge=0, le=5, description="Losing the member for less than this keeps the cue."
    )
    sound: bool = True
    volume: float = Field(0.6, ge=0, le=1)

    @model_validator(mode="after")
    def _cooldown_covers_display(self) -> CueConfig:
        if self.cooldown_s < self.min_display_s:
            raise cross_field_error(
                "cooldown_s must not be less than min_display_s", "cooldown_s", "min_display_s"
            )
        return self


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
    """Which check-in methods the station offers, and how each one reads an ID."""

    model_config = STRICT

    qr: bool = Field(default=True, description="Member shows a QR code of their ID to the camera.")
    card: bool = Field(
        default=True, description="USB card/barcode reader that types the ID + Enter."
    )
    buttons: bool = Field(
        default=True, description="Member enters a numeric ID with up/down/select."
    )
    guest: bool = Field(default=True, description="Walk without an ID; nothing is kept per member.")
    qr_every_n_frames: int = Field(
        default=3,
        ge=1,
        le=30,
        description="Decode only every Nth frame: QR search is costly on a Pi.",
    )
    qr_max_width: int = Field(
        default=480,
        ge=160,
        le=1920,
        description="Frames are downscaled to this width before decoding.",
    )
    card_key_timeout_s: float = Field(
        default=0.3,
        gt=0,
        le=5,
        description="A longer gap between keys starts a new ID: readers type fast (eng.).",
    )
    id_digits: int = Field(default=6, ge=1, le=12, description="Digits entered with the buttons.")


class ProgressionConfig(BaseModel):
    """How the next session's suggestion grows (training advice in backward-walking.md).

    Start at 2-3 minutes, add time gradually to 10-15 minutes, then 5-10% incline or
    forward/backward intervals (backward-walking.md, "Sessions"; Kachanathu 2016 used 10%).
    """

    model_config = STRICT

    start_minutes: float = Field(
        default=2.5, ge=1, le=5, description="First session: 2-3 minutes of backward walking."
    )
    level_start_minutes: list[float] = Field(
        default_factory=lambda: [2.5, 5.0, 10.0],
        min_length=1,
        description="First-session minutes by member level 1, 2, 3 ... (eng.).",
    )
    step_minutes: float = Field(
        default=1.5,
        ge=0.5,
        le=3,
        description="Added after a good session: 'add time gradually' (1-2).",
    )
    max_minutes: float = Field(
        default=15.0, ge=5, le=30, description="Time target before incline: 10-15 minutes."
    )
    good_upright_share: float = Field(
        default=0.8, ge=0.5, le=1, description="Share of upright time that earns a step up (eng.)."
    )
    poor_upright_share: float = Field(
        default=0.6, ge=0, le=1, description="Below this share the next session steps back (eng.)."
    )
    incline_step_percent: float = Field(
        default=5.0, ge=1, le=10, description="Incline added once time is at its target: 5-10%."
    )
    max_incline_percent: float = Field(
        default=10.0, ge=0, le=15, description="Incline target: 10% (Kachanathu 2016)."
    )
    baseline_max_age_days: int = Field(
        default=30, ge=1, le=365, description="An older standing baseline is captured again (eng.)."
    )

    @model_validator(mode="after")
    def _shares_ordered(self) -> ProgressionConfig:
        if self.poor_upright_share > self.good_upright_share:
            raise cross_field_error(
                "poor_upright_share must not exceed good_upright_share",
                "poor_upright_share",
                "good_upright_share",
            )
        return self


class DisplayConfig(BaseModel):
    """The screen."""

    model_config = STRICT

    width: int = Field(800, ge=320, le=3840)
    height: int = Field(480, ge=240, le=2160)
    fullscreen: bool = True
    driver: Literal["auto", "kmsdrm", "x11", "wayland", "dummy", "offscreen"] = "auto"
    fps: int = Field(30, ge=10, le=60)
    wait_s: float = Field(
        150.0, ge=0, le=170, description="Under systemd, retry a missing display this long."
    )


class StorageConfig(BaseModel):
    """Where sessions and members are kept."""

    model_config = STRICT

    data_dir: Path | None = Field(None, description="Empty = the user data directory.")
    retention_days: int = Field(365, ge=1, le=3650, description="Samples older are deleted.")

    _data_dir_empty = field_validator("data_dir", mode="before")(empty_to_none)


class FleetConfig(BaseModel):
    """A central PostgreSQL shared by every station of the gym (empty = this station alone)."""

    model_config = STRICT

    database: str = Field(
        "",
        max_length=500,
        description="libpq URL without a password: postgresql://backstep_<station>@server/db.",
    )
    password_file: Path | None = Field(
        None, description="File holding the station role's password (else BACKSTEP_FLEET_PASSWORD)."
    )
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = "prefer"
    sync_interval_s: float = Field(10.0, ge=1, le=3600, description="Between outbox uploads.")
    lookup_timeout_s: float = Field(
        1.0, gt=0, le=1.0, description="Check-in waits this long for the server, then the cache."
    )
    connect_timeout_s: int = Field(3, ge=2, le=60, description="libpq connect_timeout (min 2).")

    _password_file_empty = field_validator("password_file", mode="before")(empty_to_none)

    @field_validator("database")
    @classmethod
    def _no_password_in_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError("must start with postgresql://")
        if parts.password is not None or "password=" in parts.query:
            # the staff screen shows this file; the password lives in password_file or the env
            raise ValueError("must not contain a password: use fleet.password_file")
        return value

    @property
    def enabled(self) -> bool:
        """True when a central database is set."""
        return bool(self.database)


class StaffConfig(BaseModel):
    """Access to the staff screen."""

    model_config = STRICT

    pin: str = Field("2468", pattern=r"^[0-9]{4,8}$")
    kiosk_mode: bool = Field(
        False, description="Ctrl+Q does not quit; only the staff menu does (always under systemd)."
    )


class LoggingConfig(BaseModel):
    """Log verbosity."""

    model_config = STRICT

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class DashboardConfig(BaseModel):
    """The trainers' web dashboard (``backstep dashboard``): where it listens, attention rules."""

    model_config = STRICT

    host: str = Field(
        "127.0.0.1",
        min_length=1,
        max_length=253,
        description="Address to listen on: this machine only by default; the LAN address to share.",
    )
    port: int = Field(8080, ge=1, le=65535)
    secure_cookies: bool = Field(
        False, description="Send the login cookie over HTTPS only (set when behind TLS)."
    )
    session_hours: float = Field(8.0, ge=0.25, le=168, description="A login lasts this long.")
    max_failed_logins: int = Field(5, ge=1, le=100, description="Then the name/address waits.")
    lockout_minutes: float = Field(15.0, ge=1, le=1440)
    missed_after_days: int = Field(
        7, ge=1, le=90, description="No session for this long counts as missed sessions (eng.)."
    )
    regression_upright_drop: float = Field(
        0.10, ge=0.01, le=1, description="Upright share below the member's recent mean (eng.)."
    )
    regression_core_drop: float = Field(
        10.0, ge=1, le=100, description="Core score below the member's recent mean (eng.)."
    )
    takeaway_minutes: float = Field(
        15.0,
        ge=1,
        le=240,
        description="The summary's QR link to a member's session works once, this long.",
    )
    public_url: str = Field(
        "",
        max_length=200,
        pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$",
        description="The dashboard's address for phones on the LAN; empty: from host and port.",
    )


class BackstepConfig(BaseModel):
    """The whole station configuration."""

    model_config = STRICT

    station: StationConfig = Field(default_factory=StationConfig)
    camera: CameraConfig = Field(default_factory=CameraConfig)
    zone: ZoneConfig = Field(default_factory=ZoneConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    smoothing: SmoothingConfig = Field(default_factory=SmoothingConfig)
    vision: InferenceConfig = Field(default_factory=InferenceConfig)
    posture: PostureConfig = Field(default_factory=PostureConfig)
    gait: GaitConfig = Field(default_factory=GaitConfig)
    core: CoreConfig = Field(default_factory=CoreConfig)
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    cues: CueConfig = Field(default_factory=CueConfig)
    programs: dict[str, list[ProgramBlock]] = Field(default_factory=_default_programs)
    checkin: CheckinConfig = Field(default_factory=CheckinConfig)
    progression: ProgressionConfig = Field(default_factory=ProgressionConfig)
    gpio: GpioConfig = Field(default_factory=GpioConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    fleet: FleetConfig = Field(default_factory=FleetConfig)
    staff: StaffConfig = Field(default_factory=StaffConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)

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
