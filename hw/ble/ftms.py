"""FTMS Treadmill Data (characteristic 0x2ACD), parsed by its flags field, never by position.

Layout (Fitness Machine Service 1.0, section 4.9): a uint16 flags field, then each field
whose flag is set, in this order, little-endian. Bit 0 ("More Data") is inverted: the
instantaneous speed is present when it is 0. A treadmill may split one state over several
notifications (the first with bit 0 set, carrying no speed), and a "shim" FTMS may send
speed alone; each notification is parsed on its own and the link merges what is present.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields

from hw.ble.fields import FieldReader

logger = logging.getLogger(__name__)

#: Fitness Machine Service and its Treadmill Data characteristic (Bluetooth SIG 16-bit UUIDs).
FTMS_SERVICE_UUID = "00001826-0000-1000-8000-00805f9b34fb"
TREADMILL_DATA_UUID = "00002acd-0000-1000-8000-00805f9b34fb"

MORE_DATA = 1 << 0  # inverted: instantaneous speed present when this bit is 0
AVERAGE_SPEED = 1 << 1
TOTAL_DISTANCE = 1 << 2
INCLINATION = 1 << 3  # inclination and ramp angle setting
ELEVATION_GAIN = 1 << 4
INSTANTANEOUS_PACE = 1 << 5
AVERAGE_PACE = 1 << 6
EXPENDED_ENERGY = 1 << 7
HEART_RATE = 1 << 8
METABOLIC_EQUIVALENT = 1 << 9
ELAPSED_TIME = 1 << 10
REMAINING_TIME = 1 << 11
FORCE_AND_POWER = 1 << 12
#: every flag the 1.0 layout defines; bits 13-15 are reserved
KNOWN_FLAGS = (1 << 13) - 1

# "Data not available" values the spec reserves in some fields.
_NA_SINT16 = 0x7FFF
_NA_UINT16 = 0xFFFF
_NA_UINT8 = 0xFF


@dataclass(frozen=True)
class TreadmillData:
    """One Treadmill Data notification; a field the machine did not send is None."""

    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    total_distance_m: int | None = None
    inclination_pct: float | None = None
    ramp_angle_deg: float | None = None
    elevation_gain_up_m: float | None = None
    elevation_gain_down_m: float | None = None
    pace_km_per_min: float | None = None
    average_pace_km_per_min: float | None = None
    total_energy_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    metabolic_equivalent: float | None = None
    elapsed_time_s: int | None = None
    remaining_time_s: int | None = None
    force_on_belt_n: int | None = None
    power_output_w: int | None = None
    #: fields this notification announced as "not available" (heart rate 0, incline 0x7FFF):
    #: a latest state must forget their old value, not keep it
    withheld: frozenset[str] = field(default=frozenset(), compare=False)

    def present(self) -> dict[str, float | int]:
        """The fields this notification carried, by name (to merge into a latest state)."""
        out: dict[str, float | int] = {}
        for f in fields(self):
            if f.name == "withheld":
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out


def _or_none(value: int, not_available: int) -> int | None:
    return None if value == not_available else value


def parse_treadmill_data(data: bytes) -> TreadmillData:
    """Parse a Treadmill Data notification; `MalformedPacket` if it is shorter than its flags say.

    Bytes after the last announced field are ignored: they belong to reserved flags of a
    later revision of the spec, which come after every field we know.
    """
    r = FieldReader(data, "treadmill data")
    flags = r.uint(2, "flags")
    v: dict[str, float | int | None] = {}
    if not flags & MORE_DATA:
        v["speed_kmh"] = r.uint(2, "instantaneous speed") / 100
    if flags & AVERAGE_SPEED:
        v["average_speed_kmh"] = r.uint(2, "average speed") / 100
    if flags & TOTAL_DISTANCE:
        v["total_distance_m"] = r.uint(3, "total distance")
    if flags & INCLINATION:
        incline = r.sint(2, "inclination")
        ramp = r.sint(2, "ramp angle")
        v["inclination_pct"] = None if incline == _NA_SINT16 else incline / 10
        v["ramp_angle_deg"] = None if ramp == _NA_SINT16 else ramp / 10
    if flags & ELEVATION_GAIN:
        v["elevation_gain_up_m"] = r.uint(2, "positive elevation gain") / 10
        v["elevation_gain_down_m"] = r.uint(2, "negative elevation gain") / 10
    if flags & INSTANTANEOUS_PACE:
        v["pace_km_per_min"] = r.uint(1, "instantaneous pace") / 10
    if flags & AVERAGE_PACE:
        v["average_pace_km_per_min"] = r.uint(1, "average pace") / 10
    if flags & EXPENDED_ENERGY:
        v["total_energy_kcal"] = _or_none(r.uint(2, "total energy"), _NA_UINT16)
        v["energy_per_hour_kcal"] = _or_none(r.uint(2, "energy per hour"), _NA_UINT16)
        v["energy_per_minute_kcal"] = _or_none(r.uint(1, "energy per minute"), _NA_UINT8)
    if flags & HEART_RATE:
        v["heart_rate_bpm"] = r.uint(1, "heart rate") or None  # 0: no strap on the console
    if flags & METABOLIC_EQUIVALENT:
        v["metabolic_equivalent"] = r.uint(1, "metabolic equivalent") / 10
    if flags & ELAPSED_TIME:
        v["elapsed_time_s"] = r.uint(2, "elapsed time")
    if flags & REMAINING_TIME:
        v["remaining_time_s"] = r.uint(2, "remaining time")
    if flags & FORCE_AND_POWER:
        v["force_on_belt_n"] = r.sint(2, "force on belt")
        v["power_output_w"] = r.sint(2, "power output")
    withheld = frozenset(name for name, value in v.items() if value is None)
    return TreadmillData(**v, withheld=withheld)  # type: ignore[arg-type]
