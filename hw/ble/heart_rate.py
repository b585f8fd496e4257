"""Heart Rate Measurement (characteristic 0x2A37), parsed by its flags field.

Layout (Heart Rate Service 1.0, section 3.1): a uint8 flags field; the heart rate as uint8
(bit 0 clear) or uint16 (bit 0 set); the energy expended as uint16 kJ when bit 3 is set;
then, when bit 4 is set, every remaining pair of bytes is an RR interval in 1/1024 s.
Bits 1-2 are the sensor contact: bit 2 says whether the strap reports it, bit 1 whether
the skin is touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hw.ble.errors import MalformedPacket
from hw.ble.fields import FieldReader

logger = logging.getLogger(__name__)

HEART_RATE_SERVICE_UUID = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT_UUID = "00002a37-0000-1000-8000-00805f9b34fb"

HR_UINT16 = 1 << 0
CONTACT_DETECTED = 1 << 1
CONTACT_SUPPORTED = 1 << 2
ENERGY_EXPENDED = 1 << 3
RR_INTERVALS = 1 << 4

RR_UNITS_PER_S = 1024


@dataclass(frozen=True)
class HeartRateMeasurement:
    """One Heart Rate Measurement notification."""

    bpm: int
    #: None when the strap does not report skin contact; else whether it touches the skin
    contact: bool | None = None
    energy_expended_kj: int | None = None
    rr_intervals_s: tuple[float, ...] = ()


def parse_heart_rate_measurement(data: bytes) -> HeartRateMeasurement:
    """Parse a Heart Rate Measurement; `MalformedPacket` if it is shorter than its flags say."""
    r = FieldReader(data, "heart rate measurement")
    flags = r.uint(1, "flags")
    bpm = r.uint(2 if flags & HR_UINT16 else 1, "heart rate")
    contact = bool(flags & CONTACT_DETECTED) if flags & CONTACT_SUPPORTED else None
    energy = r.uint(2, "energy expended") if flags & ENERGY_EXPENDED else None
    rr: list[float] = []
    if flags & RR_INTERVALS:
        if r.remaining % 2:  # none at all is allowed: a beat may not have ended yet
            raise MalformedPacket(f"heart rate measurement: {r.remaining} bytes of RR intervals")
        while r.remaining:
            rr.append(r.uint(2, "RR interval") / RR_UNITS_PER_S)
    return HeartRateMeasurement(
        bpm=bpm, contact=contact, energy_expended_kj=energy, rr_intervals_s=tuple(rr)
    )
