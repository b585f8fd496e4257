"""Config sections ``[treadmill]`` and ``[heart_rate]``: which devices to read, never write."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hw.ble.central import is_address
from vision.settings import cross_field_error

STRICT = ConfigDict(extra="forbid", validate_assignment=True)

#: `[heart_rate] device` value meaning "the treadmill's own heart-rate field"
FROM_TREADMILL = "treadmill"


#: The two links' shared timings (one definition, both sections).
ConnectTimeout = Annotated[
    float,
    Field(
        ge=2, le=60, description="How long one scan and connection attempt may take, seconds, 2-60."
    ),
]
ReconnectMax = Annotated[
    float,
    Field(
        ge=2, le=300, description="The longest wait between reconnection attempts, seconds, 2-300."
    ),
]


def _device_text(value: object) -> object:
    # an address is matched case-insensitively by the stacks; keep it upper case for the eye
    if isinstance(value, str):
        value = value.strip()
        return value.upper() if is_address(value) else value
    return value


class TreadmillConfig(BaseModel):
    """The treadmill's Fitness Machine Service (FTMS): belt speed, incline, distance, time.

    Read-only: Backstep never writes to a treadmill (no FTMS control point), so a kiosk
    cannot move a belt.
    """

    model_config = STRICT

    enabled: bool = Field(False, description="Read the treadmill over Bluetooth LE (FTMS).")
    device: str = Field(
        "",
        max_length=64,
        description=(
            "The treadmill's Bluetooth address (AA:BB:CC:DD:EE:FF) or the name its console "
            "advertises (`bluetoothctl scan le` lists both)."
        ),
    )
    units: Literal["mph", "km/h"] = Field(
        "mph", description="How speeds are shown to members: mph or km/h."
    )
    connect_timeout_s: ConnectTimeout = 10.0
    reconnect_max_s: ReconnectMax = 30.0
    speed_tolerance_kmh: float = Field(
        0.5,
        ge=0.2,
        le=3.0,
        description=(
            "How far the belt may be off a block's target speed before the member is told "
            "to slow it down or speed it up, km/h, 0.2-3 (0.5 km/h is about 0.3 mph)."
        ),
    )
    speed_hold_s: float = Field(
        5.0,
        ge=2,
        le=30,
        description="How long the belt must stay off the target before that cue, seconds, 2-30.",
    )

    @field_validator("device", mode="before")
    @classmethod
    def _tidy_device(cls, value: object) -> object:
        return _device_text(value)

    @model_validator(mode="after")
    def _device_when_enabled(self) -> TreadmillConfig:
        if self.enabled and not self.device:
            raise cross_field_error(
                "treadmill.enabled needs treadmill.device (an address or a name)", "device"
            )
        return self


class HeartRateConfig(BaseModel):
    """Heart rate: a chest strap's Heart Rate Service, or the treadmill's own HR field."""

    model_config = STRICT

    enabled: bool = Field(False, description="Show and record the member's heart rate.")
    device: str = Field(
        "",
        max_length=64,
        description=(
            'The strap\'s Bluetooth address or advertised name, or "treadmill" to use the '
            "heart rate the treadmill's console reports (from its own grips or strap)."
        ),
    )
    connect_timeout_s: ConnectTimeout = 10.0
    reconnect_max_s: ReconnectMax = 30.0

    @field_validator("device", mode="before")
    @classmethod
    def _tidy_device(cls, value: object) -> object:
        return _device_text(value)

    @property
    def from_treadmill(self) -> bool:
        """True when the heart rate comes from the treadmill's FTMS data, not a strap."""
        return self.device.lower() == FROM_TREADMILL

    @model_validator(mode="after")
    def _device_when_enabled(self) -> HeartRateConfig:
        if self.enabled and not self.device:
            raise cross_field_error(
                'heart_rate.enabled needs heart_rate.device (an address, a name or "treadmill")',
                "device",
            )
        return self
