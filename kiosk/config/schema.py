"""The root of the staff configuration: every section of ``backstep.toml`` as a pydantic model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hw.ble.settings import HeartRateConfig, TreadmillConfig
from hw.settings import GpioConfig
from kiosk.config.sound import SoundConfig
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


class CueConfig(BaseModel):
    """How often and how loudly the kiosk coaches.

    Whether a fault exists and has lasted is decided by the analyzer (``posture.persist_s``,
    ``core.fault_below``, ``safety.drift_warn``); these settings only say what to show.
    """

    model_config = STRICT

    cooldown_s: float = Field(
        10.0,
        ge=2,
        le=120,
        description=(
            "The same cue is not repeated within this time, seconds, 2-120, not less than "
            "min_display_s."
        ),
    )
    min_display_s: float = Field(
        2.0, ge=1, le=10, description="A cue stays on screen at least this long, seconds, 1-10."
    )
    max_per_minute: int = Field(
        6, ge=1, le=30, description="At most this many cues a minute, 1-30."
    )
    encouragement_every_s: float = Field(
        30.0,
        ge=5,
        le=300,
        description="Encouragement when all is well, every this many seconds, 5-300.",
    )
    display_s: float = Field(
        4.0, ge=1, le=15, description="Praise and encouragement stay up this long, seconds, 1-15."
    )
    safety_display_s: float = Field(
        5.0,
        ge=2,
        le=30,
        description="A safety alert stays up this long after its last event, seconds, 2-30.",
    )
    steps_window: int = Field(
        6, ge=3, le=20, description="Recent steps judged for toe-first contact, 3-20."
    )
    reminder_every_s: float = Field(
        20.0,
        ge=20,
        le=120,
        description=(
            "While a fault lasts the kiosk never goes silent: its cue sounds again every this "
            "many seconds, 20-120; the same words never sound more often than this."
        ),
    )
    escalate_after_s: float = Field(
        45.0,
        ge=10,
        le=300,
        description=(
            "A fault lasting this long despite its cue and reminders gets the firmer cue, "
            "seconds, 10-300."
        ),
    )
    praise_hold_s: float = Field(
        3.0,
        ge=0,
        le=15,
        description="Praise comes only once a correction has held this long, seconds, 0-15.",
    )
    dropout_grace_s: float = Field(
        1.0,
        ge=0,
        le=5,
        description=(
            "Losing sight of the member for less than this keeps the cue up (no new cue, no new "
            "tone after a tracking dropout), seconds, 0-5."
        ),
    )
    countdown_s: float = Field(
        5.0,
        ge=3,
        le=15,
        description=(
            "Before every change of direction, speed or incline of the program, a countdown "
            "this long says what to do with body and belt"
        ),
    )
    settle_steps: int = Field(
        4,
        ge=1,
        le=20,
        description=(
            "After a block change no fault is cued until the member has taken this many steps "
            "(1-20, default 4)"
        ),
    )
    settle_s: float = Field(
        5.0,
        ge=1,
        le=30,
        description=(
            "or this many seconds have passed (1-30, default 5), whichever comes first (eng.)."
        ),
    )
    sound: bool = Field(
        True, description="Play a sound with each cue (distinct tones carry over gym music)."
    )
    volume: float = Field(0.6, ge=0, le=1, description="Sound volume, 0-1.")

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

    kind: BlockKind = Field(
        description='What the block is: "warmup", "backward", "forward", "rest" or "cooldown".'
    )
    minutes: float = Field(gt=0, le=60, description="Block length, minutes, above 0 to 60.")
    name: str | None = Field(None, max_length=30, description="Label on screen, up to 30 chars.")
    speed_mph: float | None = Field(
        None, gt=0, le=6, description="Suggested belt speed, mph, above 0 to 6."
    )
    incline_percent: float | None = Field(
        None, ge=0, le=15, description="Suggested incline, percent, 0-15."
    )


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
        default=True, description="A USB card/barcode reader that types the ID and Enter."
    )
    buttons: bool = Field(
        default=True, description="The member enters a numeric ID with up/down/select."
    )
    guest: bool = Field(default=True, description="Walk without an ID; nothing is kept per member.")
    qr_every_n_frames: int = Field(
        default=3,
        ge=1,
        le=30,
        description=(
            "Decode QR codes on every Nth camera frame only, 1-30: QR search is costly on a Pi."
        ),
    )
    qr_max_width: int = Field(
        default=480,
        ge=160,
        le=1920,
        description="Frames are scaled down to this width before QR decoding, pixels, 160-1920.",
    )
    card_key_timeout_s: float = Field(
        default=0.3,
        gt=0,
        le=5,
        description=(
            "A longer gap between card-reader keys starts a new ID, seconds, above 0 to 5."
        ),
    )
    id_digits: int = Field(
        default=6, ge=1, le=12, description="Digits of an ID entered with the buttons, 1-12."
    )


class ProgressionConfig(BaseModel):
    """How the next session's suggestion grows (training advice in backward-walking.md).

    Start at 2-3 minutes, add time gradually to 10-15 minutes, then 5-10% incline or
    forward/backward intervals (backward-walking.md, "Sessions"; Kachanathu 2016 used 10%).
    """

    model_config = STRICT

    start_minutes: float = Field(
        default=2.5, ge=1, le=5, description="First session, minutes of backward walking, 1-5."
    )
    level_start_minutes: list[float] = Field(
        default_factory=lambda: [2.5, 5.0, 10.0],
        min_length=1,
        description="First-session minutes by member level 1, 2, 3 ..., at least one entry.",
    )
    step_minutes: float = Field(
        default=1.5, ge=0.5, le=3, description="Minutes added after a good session, 0.5-3."
    )
    max_minutes: float = Field(
        default=15.0, ge=5, le=30, description="Time target before incline is added, minutes, 5-30."
    )
    good_upright_share: float = Field(
        default=0.8, ge=0.5, le=1, description="Share of upright time that earns a step up, 0.5-1."
    )
    poor_upright_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description=(
            "Below this share of upright time the next session steps back, 0-1, not more than "
            "good_upright_share."
        ),
    )
    incline_step_percent: float = Field(
        default=5.0,
        ge=1,
        le=10,
        description="Incline added once time is at its target, percent, 1-10.",
    )
    max_incline_percent: float = Field(
        default=10.0, ge=0, le=15, description="Incline target, percent, 0-15."
    )
    baseline_max_age_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="A standing baseline older than this is captured again, days, 1-365.",
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

    width: int = Field(
        800,
        ge=320,
        le=3840,
        description=(
            "Window or screen size in pixels: width 320-3840 (default 800), height 240-2160 "
            '(default 480, the official 7" touch display).'
        ),
    )
    height: int = Field(
        480,
        ge=240,
        le=2160,
        description=(
            "Window or screen size in pixels: width 320-3840 (default 800), height 240-2160 "
            '(default 480, the official 7" touch display).'
        ),
    )
    fullscreen: bool = Field(True, description="Fill the whole screen.")
    driver: Literal["auto", "kmsdrm", "x11", "wayland", "dummy", "offscreen"] = Field(
        "auto",
        description=(
            'SDL video driver: "auto" (kmsdrm on a console-only Pi, else the desktop\'s), '
            '"kmsdrm", "x11", "wayland", "dummy" or "offscreen" (headless).'
        ),
    )
    fps: int = Field(30, ge=10, le=60, description="Screen refresh, frames/s, 10-60.")
    wait_s: float = Field(
        150.0,
        ge=0,
        le=170,
        description=(
            "Under systemd, a display that cannot be opened (screen unplugged, HDMI not up yet) "
            "is retried with growing pauses for this many seconds, 0-170, before the kiosk exits "
            "with the reason (systemd then restarts it slowly instead of in a tight loop)."
        ),
    )


class StorageConfig(BaseModel):
    """Where sessions and members are kept."""

    model_config = STRICT

    data_dir: Path | None = Field(None, description="Where members and sessions are kept (SQLite).")
    retention_days: int = Field(
        365, ge=1, le=3650, description="Session samples older than this are deleted, days, 1-3650."
    )
    backups_keep: int = Field(
        7,
        ge=0,
        le=365,
        description=(
            "Daily online copies of the database kept in <data dir>/backups, 0-365 (0 = none)."
        ),
    )

    _data_dir_empty = field_validator("data_dir", mode="before")(empty_to_none)


class FleetConfig(BaseModel):
    """A central PostgreSQL shared by every station of the gym (empty = this station alone)."""

    # a refused database URL may hold a password: pydantic's message must not repeat it
    model_config = ConfigDict(**STRICT, hide_input_in_errors=True)

    database: str = Field(
        "",
        max_length=500,
        description="Several stations sharing one member list and history on a central PostgreSQL",
    )
    password_file: Path | None = Field(
        None,
        description=(
            "File holding this station's database password (one line, readable by the backstep "
            "user only), else the BACKSTEP_FLEET_PASSWORD environment variable, else ~/.pgpass."
        ),
    )
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = Field(
        "prefer",
        description=(
            'TLS to the server: "disable", "allow", "prefer", "require", "verify-ca" or '
            '"verify-full".'
        ),
    )
    sync_interval_s: float = Field(
        10.0, ge=1, le=3600, description="Seconds between outbox uploads, 1-3600."
    )
    lookup_timeout_s: float = Field(
        1.0,
        gt=0,
        le=1.0,
        description=(
            "Check-in waits at most this long for the server, then uses this station's copy, s, "
            "0-1."
        ),
    )
    connect_timeout_s: int = Field(
        3,
        ge=2,
        le=60,
        description="Seconds to wait when connecting (libpq; 2 is its minimum), 2-60.",
    )

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

    pin: str = Field(
        "2468", pattern=r"^[0-9]{4,8}$", description="PIN for the staff screen, 4-8 digits."
    )
    kiosk_mode: bool = Field(
        False,
        description=(
            'Kiosk mode: Ctrl+Q and closing the window do not quit; only "Quit kiosk" in the '
            "staff menu (behind the PIN) does."
        ),
    )


class LoggingConfig(BaseModel):
    """Log verbosity."""

    model_config = STRICT

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description='Log level: "DEBUG", "INFO", "WARNING" or "ERROR".'
    )


class DashboardConfig(BaseModel):
    """The trainers' web dashboard (``backstep dashboard``): where it listens, attention rules."""

    model_config = STRICT

    host: str = Field(
        "127.0.0.1", min_length=1, max_length=253, description="Address to listen on."
    )
    port: int = Field(8080, ge=1, le=65535, description="TCP port, 1-65535.")
    secure_cookies: bool = Field(
        False,
        description=(
            "Send the login cookie over HTTPS only: set true when a TLS proxy serves the dashboard."
        ),
    )
    session_hours: float = Field(
        8.0, ge=0.25, le=168, description="A login lasts this many hours, 0.25-168."
    )
    session_idle_minutes: float = Field(
        60.0,
        ge=1,
        le=1440,
        description=(
            "A login nobody has used for this many minutes ends on the server (the browser must "
            "log in again), 1-1440."
        ),
    )
    max_failed_logins: int = Field(
        5,
        ge=1,
        le=100,
        description=(
            "Failed logins of one name from one address (and from one address in all) before "
            "it must wait, 1-100."
        ),
    )
    lockout_minutes: float = Field(
        15.0,
        ge=1,
        le=1440,
        description=(
            "The longest such wait, minutes, 1-1440; after this long without failures all is "
            "forgiven."
        ),
    )
    missed_after_days: int = Field(
        7,
        ge=1,
        le=90,
        description=(
            '"Needs attention" on the member list (engineering defaults, eng.: the advice gives '
            "no session frequency; the Kachanathu 2016 programme trained several times a week): "
            "no session for this many days counts as missed sessions, 1-90."
        ),
    )
    regression_upright_drop: float = Field(
        0.10,
        ge=0.01,
        le=1,
        description=(
            "Latest upright share this far below the member's previous three sessions, 0.01-1."
        ),
    )
    regression_core_drop: float = Field(
        10.0,
        ge=1,
        le=100,
        description=(
            "Latest core score this far below the member's previous three sessions, 1-100."
        ),
    )
    takeaway_minutes: float = Field(
        15.0,
        ge=1,
        le=240,
        description="The link works once, for this many minutes, 1-240.",
    )
    public_url: str = Field(
        "",
        max_length=200,
        pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$",
        description='The address phones use for the dashboard, e.g. "http://192.168.1.20:8080".',
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
        default_factory=_default_programs,
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
