"""Staff-file sections for coaching a session: cues, programs, check-in, progression."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from kiosk.config.strict import STRICT
from vision.settings import (
    cross_field_error,
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


def default_programs() -> dict[str, list[ProgramBlock]]:
    """The programs every station has unless the staff file replaces them by name."""
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
