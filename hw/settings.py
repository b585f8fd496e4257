"""Configuration section for the GPIO buttons, status LED and buzzer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

BcmPin = int


class GpioConfig(BaseModel):
    """BCM pin numbers and timings; ``null`` (omitted) disables a part."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    pin_factory: Literal["auto", "lgpio", "rpigpio", "pigpio", "native", "mock", "none"] = Field(
        "auto",
        description=(
            'Pin library: "auto" (gpiozero tries lgpio first: the only one on a Pi 5), "lgpio", '
            '"rpigpio", "pigpio", "native", "mock" (tests) or "none" (keyboard only).'
        ),
    )
    start: BcmPin | None = Field(17, ge=0, le=27, description='BCM pins 0-27 or "off".')
    stop: BcmPin | None = Field(27, ge=0, le=27, description='BCM pins 0-27 or "off".')
    up: BcmPin | None = Field(22, ge=0, le=27, description='BCM pins 0-27 or "off".')
    down: BcmPin | None = Field(23, ge=0, le=27, description='BCM pins 0-27 or "off".')
    select: BcmPin | None = Field(24, ge=0, le=27, description='BCM pins 0-27 or "off".')
    led: BcmPin | None = Field(25, ge=0, le=27, description='BCM pins 0-27 or "off".')
    buzzer: BcmPin | None = Field(18, ge=0, le=27, description='BCM pins 0-27 or "off".')
    bounce_s: float = Field(
        0.05, ge=0, le=0.5, description="Contact bounce ignored, seconds, 0-0.5."
    )
    hold_s: float = Field(
        2.0,
        ge=0.5,
        le=10,
        description=(
            'A press held this long is a "hold" (stop held = end the session), seconds, 0.5-10.'
        ),
    )

    @field_validator("start", "stop", "up", "down", "select", "led", "buzzer", mode="before")
    @classmethod
    def _off_is_none(cls, value: object) -> object:
        # TOML has no null: staff write "off" (or false) to disable a part. A bare `true` or
        # `false` must never become GPIO1/GPIO0 through pydantic's bool-to-int coercion.
        if value is False or (isinstance(value, str) and value.lower() in ("off", "none", "")):
            return None
        if value is True:
            raise ValueError('a pin is a BCM number 0-27, or "off"')
        return value

    @model_validator(mode="after")
    def _unique_pins(self) -> GpioConfig:
        seen: dict[int, str] = {}
        for name in ("start", "stop", "up", "down", "select", "led", "buzzer"):
            pin = getattr(self, name)
            if pin is None:
                continue
            if pin in seen:
                raise PydanticCustomError(
                    "cross_field",
                    f"GPIO{pin} is used twice: by '{seen[pin]}' and by '{name}'",
                    {"fields": (name, seen[pin])},
                )
            seen[pin] = name
        return self
