"""The virtual Bluetooth LE air, moved to `hw.ble.virtual` (the bench uses it too)."""

from hw.ble.virtual import (
    CONTROL_POINT_UUID,
    AirCentral,
    VirtualAir,
    VirtualPeer,
    heart_rate_measurement,
    treadmill_data,
)

__all__ = [
    "CONTROL_POINT_UUID",
    "AirCentral",
    "VirtualAir",
    "VirtualPeer",
    "heart_rate_measurement",
    "treadmill_data",
]
