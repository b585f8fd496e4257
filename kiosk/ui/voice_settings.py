"""The staff file's ``[sound]`` section: the spoken coach's switch, loudness, voice, speed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SoundConfig(BaseModel):
    """The spoken coach: on/off, loudness, voice and speed (tones are in ``[cues]``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    voice: bool = Field(
        True, description="Speak each cue's words after its tone (needs espeak-ng; else tones)."
    )
    voice_volume: float = Field(0.9, ge=0, le=1, description="Loudness of the spoken cues.")
    voice_name: str = Field(
        "en-gb",
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9_+-]+$",
        description="espeak-ng voice (espeak-ng --voices lists them).",
    )
    rate: int = Field(
        160, ge=80, le=260, description="Speaking rate, words a minute (espeak-ng's -s)."
    )
    min_gap_s: float = Field(
        8.0,
        ge=2,
        le=60,
        description="Never more than one spoken cue in this time (coaching.md); tones still sound.",
    )
