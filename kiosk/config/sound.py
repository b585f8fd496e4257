"""The [sound] section of the staff file: the spoken coach (voice, volume, rate, gap)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SoundConfig(BaseModel):
    """The spoken coach: on/off, loudness, voice and speed (tones are in ``[cues]``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    voice: bool = Field(
        True,
        description=(
            "The spoken coach: each cue's words are said after its tone, in the same words as "
            "the banner."
        ),
    )
    voice_volume: float = Field(0.9, ge=0, le=1, description="Loudness of the spoken cues, 0-1.")
    voice_name: str = Field(
        "en-gb",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_+-]+$",
        description="espeak-ng voice (`espeak-ng --voices=en` lists them), letters, digits, - _ +.",
    )
    rate: int = Field(160, ge=80, le=260, description="Speaking rate, words a minute, 80-260.")
    min_gap_s: float = Field(
        8.0,
        ge=2,
        le=60,
        description=(
            "Never more than one spoken cue in this time, seconds, 2-60; tones still mark each cue."
        ),
    )
