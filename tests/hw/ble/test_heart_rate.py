"""Heart Rate Measurement: every flag combination, built from the spec's layout with struct."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hw.ble.errors import MalformedPacket
from hw.ble.heart_rate import HeartRateMeasurement, parse_heart_rate_measurement


@st.composite
def measurements(draw: st.DrawFn) -> tuple[bytes, HeartRateMeasurement]:
    """A packet for random flags (bits 0-4) and values, and the measurement it must parse to."""
    flags = draw(st.integers(0, 0x1F))
    wide = flags & 0x01
    bpm = draw(st.integers(0, 0xFFFF if wide else 0xFF))
    body = struct.pack("<BH" if wide else "<BB", flags, bpm)
    energy = None
    if flags & 0x08:
        energy = draw(st.integers(0, 0xFFFF))
        body += struct.pack("<H", energy)
    rr: list[int] = []
    if flags & 0x10:
        rr = draw(st.lists(st.integers(0, 0xFFFF), max_size=9))
        body += struct.pack(f"<{len(rr)}H", *rr)
    contact = bool(flags & 0x02) if flags & 0x04 else None
    expected = HeartRateMeasurement(
        bpm=bpm,
        contact=contact,
        energy_expended_kj=energy,
        rr_intervals_s=tuple(x / 1024 for x in rr),
    )
    return body, expected


@given(measurements())
def test_every_flag_combination_parses(packet: tuple[bytes, HeartRateMeasurement]) -> None:
    body, expected = packet
    assert parse_heart_rate_measurement(body) == expected


@given(measurements(), st.data())
def test_a_measurement_cut_short_is_malformed_or_drops_only_whole_rr_intervals(
    packet: tuple[bytes, HeartRateMeasurement], data: st.DataObject
) -> None:
    body, expected = packet
    cut = data.draw(st.integers(0, len(body) - 1))
    fixed = len(body) - 2 * len(expected.rr_intervals_s)
    if cut >= fixed and (cut - fixed) % 2 == 0:
        # the RR list has no count: a cut between two intervals is a shorter, valid list
        kept = parse_heart_rate_measurement(body[:cut]).rr_intervals_s
        assert kept == expected.rr_intervals_s[: (cut - fixed) // 2]
        return
    with pytest.raises(MalformedPacket):
        parse_heart_rate_measurement(body[:cut])


def test_uint8_and_uint16_heart_rate() -> None:
    assert parse_heart_rate_measurement(b"\x00\x48").bpm == 72
    assert parse_heart_rate_measurement(b"\x01\x2c\x01").bpm == 300


def test_sensor_contact_bits() -> None:
    assert parse_heart_rate_measurement(b"\x00\x48").contact is None  # not supported
    assert parse_heart_rate_measurement(b"\x04\x48").contact is False
    assert parse_heart_rate_measurement(b"\x06\x48").contact is True


def test_energy_then_rr_intervals_in_1024ths_of_a_second() -> None:
    # energy 0x0102 kJ, RR 1024 (1 s) and 512 (0.5 s)
    m = parse_heart_rate_measurement(bytes([0x18, 0x50, 0x02, 0x01, 0x00, 0x04, 0x00, 0x02]))
    assert m.bpm == 80
    assert m.energy_expended_kj == 0x0102
    assert m.rr_intervals_s == (1.0, 0.5)


def test_rr_without_energy_starts_right_after_the_heart_rate() -> None:
    assert parse_heart_rate_measurement(bytes([0x10, 0x50, 0x00, 0x04])).rr_intervals_s == (1.0,)


@pytest.mark.parametrize("body", [b"", b"\x01\x2c", b"\x08\x48\x01", b"\x10\x48\x00"])
def test_truncated_measurements_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPacket):
        parse_heart_rate_measurement(body)
