"""FTMS Treadmill Data: every flag combination, built from the spec's field layout with struct."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hw.ble.errors import MalformedPacket
from hw.ble.ftms import TreadmillData, parse_treadmill_data

# The spec's table (FTMS 1.0 §4.9.1), written independently of the parser: for each flag
# bit, the fields it adds, as (dataclass field, struct code, multiplier to the raw unit).
# Bit 0 is handled apart: its field is present when the bit is CLEAR.
LAYOUT: dict[int, list[tuple[str, str, float]]] = {
    0: [("speed_kmh", "H", 100)],
    1: [("average_speed_kmh", "H", 100)],
    2: [("total_distance_m", "3", 1)],
    3: [("inclination_pct", "h", 10), ("ramp_angle_deg", "h", 10)],
    4: [("elevation_gain_up_m", "H", 10), ("elevation_gain_down_m", "H", 10)],
    5: [("pace_km_per_min", "B", 10)],
    6: [("average_pace_km_per_min", "B", 10)],
    7: [
        ("total_energy_kcal", "H", 1),
        ("energy_per_hour_kcal", "H", 1),
        ("energy_per_minute_kcal", "B", 1),
    ],
    8: [("heart_rate_bpm", "B", 1)],
    9: [("metabolic_equivalent", "B", 10)],
    10: [("elapsed_time_s", "H", 1)],
    11: [("remaining_time_s", "H", 1)],
    12: [("force_on_belt_n", "h", 1), ("power_output_w", "h", 1)],
}
# Raw values away from the spec's "not available" sentinels (0x7FFF, 0xFFFF, 0xFF, HR 0).
RAW_RANGE = {"H": (1, 0xFFFE), "h": (-0x7FFF, 0x7FFE), "B": (1, 0xFE), "3": (0, 0xFFFFFF)}


def _present(flags: int, bit: int) -> bool:
    return not flags & 1 if bit == 0 else bool(flags >> bit & 1)


def _encode(code: str, raw: int) -> bytes:
    if code == "3":
        return raw.to_bytes(3, "little")
    return struct.pack("<" + code, raw)


@st.composite
def packets(draw: st.DrawFn) -> tuple[bytes, dict[str, float], int]:
    """A packet for random flags (bits 0-12) with random raw values, and the values expected."""
    flags = draw(st.integers(0, (1 << 13) - 1))
    body = struct.pack("<H", flags)
    expected: dict[str, float] = {}
    for bit, layout in LAYOUT.items():
        if not _present(flags, bit):
            continue
        for name, code, scale in layout:
            raw = draw(st.integers(*RAW_RANGE[code]))
            body += _encode(code, raw)
            expected[name] = raw / scale
    return body, expected, flags


@given(packets())
def test_every_flag_combination_parses_each_field_at_its_place_and_unit(
    packet: tuple[bytes, dict[str, float], int],
) -> None:
    body, expected, _ = packet
    parsed = parse_treadmill_data(body)
    assert parsed.present().keys() == expected.keys()
    for name, value in expected.items():
        assert getattr(parsed, name) == pytest.approx(value), name


@given(packets(), st.data())
def test_a_packet_cut_short_anywhere_is_malformed_never_a_crash(
    packet: tuple[bytes, dict[str, float], int], data: st.DataObject
) -> None:
    body, _, _ = packet
    cut = data.draw(st.integers(0, len(body) - 1))
    with pytest.raises(MalformedPacket):
        parse_treadmill_data(body[:cut])


def test_speed_is_uint16_hundredths_of_a_km_h_little_endian() -> None:
    # flags 0x0000: More Data clear, so speed alone; 0x0145 = 325 -> 3.25 km/h
    assert parse_treadmill_data(bytes([0x00, 0x00, 0x45, 0x01])) == TreadmillData(speed_kmh=3.25)


def test_more_data_set_means_no_speed_field() -> None:
    # bit 0 set and bit 2 (distance): the three bytes after the flags are the distance
    parsed = parse_treadmill_data(bytes([0x05, 0x00, 0x10, 0x27, 0x00]))
    assert parsed.speed_kmh is None
    assert parsed.total_distance_m == 10000


def test_distance_is_uint24_and_incline_signed_tenths() -> None:
    # speed 2.41 km/h (0x00F1), distance 0x012345 m, incline -2.5 % (0xFFE7), ramp 1.0 deg
    body = bytes([0x0C, 0x00, 0xF1, 0x00, 0x45, 0x23, 0x01, 0xE7, 0xFF, 0x0A, 0x00])
    parsed = parse_treadmill_data(body)
    assert parsed.speed_kmh == pytest.approx(2.41)
    assert parsed.total_distance_m == 0x012345
    assert parsed.inclination_pct == pytest.approx(-2.5)
    assert parsed.ramp_angle_deg == pytest.approx(1.0)


def test_an_omitted_field_shifts_the_next_one_forward() -> None:
    # speed + elapsed time (bit 10), no distance between: elapsed sits right after the speed
    parsed = parse_treadmill_data(bytes([0x00, 0x04, 0x2C, 0x01, 0x3C, 0x00]))
    assert parsed.speed_kmh == pytest.approx(3.0)
    assert parsed.total_distance_m is None
    assert parsed.elapsed_time_s == 60


def test_not_available_values_read_as_none() -> None:
    # incline and ramp 0x7FFF, energy 0xFFFF/0xFFFF/0xFF, heart rate 0 (no console strap)
    flags = (1 << 0) | (1 << 3) | (1 << 7) | (1 << 8)
    body = struct.pack("<HhhHHBB", flags, 0x7FFF, 0x7FFF, 0xFFFF, 0xFFFF, 0xFF, 0)
    parsed = parse_treadmill_data(body)
    assert parsed.present() == {}


def test_trailing_bytes_of_a_later_revision_are_ignored() -> None:
    assert parse_treadmill_data(bytes([0x00, 0x20, 0x64, 0x00, 0xAA, 0xBB])).speed_kmh == 1.0


@pytest.mark.parametrize("body", [b"", b"\x00", b"\x00\x00", b"\x00\x00\x45", b"\x04\x00\x01"])
def test_truncated_packets_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPacket):
        parse_treadmill_data(body)
