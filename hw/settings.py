"""Configuration section for the GPIO buttons, status LED and buzzer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BcmPin = int


class GpioConfig(BaseModel):
    """BCM pin numbers and timings; ``null`` (omitted) disables a part."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    pin_factory: Literal["auto", "lgpio", "rpigpio", "pigpio", "native", "mock", "none"] = "auto"
    start: BcmPin | None = Field(17, ge=0, le=27)
    stop: BcmPin | None = Field(27, ge=0, le=27)
    up: BcmPin | None = Field(22, ge=0, le=27)
    down: BcmPin | None = Field(23, ge=0, le=27)
    select: BcmPin | None = Field(24, ge=0, le=27)
    led: BcmPin | None = Field(25, ge=0, le=27)
    buzzer: BcmPin | None = Field(18, ge=0, le=27)
    bounce_s: float = Field(0.05, ge=0, le=0.5)
    hold_s: float = Field(2.0, ge=0.5, le=10)

    @model_validator(mode="after")
    def _unique_pins(self) -> GpioConfig:
        seen: dict[int, str] = {}
        for name in ("start", "stop", "up", "down", "select", "led", "buzzer"):
            pin = getattr(self, name)
            if pin is None:
                continue
            if pin in seen:
                raise ValueError(f"GPIO{pin} is used twice: by '{seen[pin]}' and by '{name}'")
            seen[pin] = name
        return self
