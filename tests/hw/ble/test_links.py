"""The station's links as the staff file asks: started, read, restarted on a change, closed."""

from __future__ import annotations

import itertools
import struct
import threading
import time

import pytest
from support.ble_air import VirtualAir, wait_until

from hw.ble.links import MachineLinks
from hw.ble.settings import HeartRateConfig, TreadmillConfig

FAST = {"connect_timeout_s": 2.0, "reconnect_max_s": 2.0}


def speed_packet(speed_kmh: float) -> bytes:
    """A Treadmill Data notification with the speed alone (a "shim" console)."""
    return struct.pack("<HH", 0, round(speed_kmh * 100))


def centrals(air: VirtualAir):
    addresses = (f"F2:00:00:00:01:{i:02X}" for i in itertools.count(1))
    return lambda: air.central(next(addresses))


def link_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("backstep-")}


def test_nothing_enabled_starts_nothing_and_reads_nothing() -> None:
    links = MachineLinks(TreadmillConfig(), HeartRateConfig(), central_factory=None)
    links.start()
    assert not links.configured
    assert not links.read().configured
    links.close()


def test_heart_rate_from_the_treadmill_reads_the_consoles_own_field(air: VirtualAir) -> None:
    treadmill = air.treadmill("Console")
    treadmill.advertise()
    links = MachineLinks(
        TreadmillConfig(enabled=True, device="Console", **FAST),
        HeartRateConfig(enabled=True, device="treadmill", **FAST),
        central_factory=centrals(air),
    )
    links.start()
    try:
        assert links.heart is None  # no strap link: the console carries the heart rate
        wait_until(lambda: links.read().treadmill is not None and treadmill.connected)
        wait_until(lambda: links.treadmill is not None and links.treadmill.status().connected)
        # speed, and heart rate (flag bit 8) 131 bpm
        treadmill.notify(bytes([0x00, 0x01]) + (320).to_bytes(2, "little") + bytes([131]))
        wait_until(lambda: links.read().heart is not None and links.read().heart.bpm == 131)
        assert links.read().treadmill.speed_kmh == pytest.approx(3.2)
    finally:
        links.close()


def test_a_changed_section_restarts_the_links_an_unchanged_one_does_not(air: VirtualAir) -> None:
    old, new = air.treadmill("Old Console"), air.treadmill("New Console", "F1:00:00:00:00:09")
    old.advertise()
    new.advertise()
    heart = HeartRateConfig()
    links = MachineLinks(
        TreadmillConfig(enabled=True, device="Old Console", **FAST),
        heart,
        central_factory=centrals(air),
    )
    links.start()
    try:
        first = links.treadmill
        assert first is not None
        wait_until(lambda: first.status().connected)
        assert not links.apply(TreadmillConfig(enabled=True, device="Old Console", **FAST), heart)
        assert links.treadmill is first
        started = time.monotonic()
        assert links.apply(TreadmillConfig(enabled=True, device="New Console", **FAST), heart)
        assert time.monotonic() - started < 0.5  # the old link drops in a thread of its own
        assert links.treadmill is not first and links.treadmill is not None
        second = links.treadmill
        wait_until(lambda: second.status().connected)
        wait_until(lambda: not old.connected)  # the old link was dropped
        new.notify(speed_packet(5.0))
        wait_until(lambda: links.read().treadmill.speed_kmh == pytest.approx(5.0))
        assert links.apply(TreadmillConfig(), heart)  # switched off
        assert links.treadmill is None and not links.configured
        wait_until(lambda: not link_threads() & {"backstep-treadmill", "backstep-ble-close"})
    finally:
        links.close()
    assert old.control_point_writes == [] and new.control_point_writes == []


def test_a_console_heart_rate_that_ends_is_not_kept_as_live(air: VirtualAir) -> None:
    """Grips let go: the console sends heart rate 0 ("no strap"), or stops sending the field
    while its speed packets go on; the last bpm must not stay live (zones, cues, samples)."""
    treadmill = air.treadmill("Console")
    treadmill.advertise()
    clock = [100.0]
    links = MachineLinks(
        TreadmillConfig(enabled=True, device="Console", **FAST),
        HeartRateConfig(enabled=True, device="treadmill", **FAST),
        central_factory=centrals(air),
    )
    links.start()
    try:
        wait_until(lambda: links.treadmill is not None and links.treadmill.status().connected)
        assert links.treadmill is not None
        links.treadmill._clock = lambda: clock[0]  # the packets' times, set by the test

        def with_heart(bpm: int) -> bytes:  # speed 3.2 km/h and heart rate (flag bit 8)
            return bytes([0x00, 0x01]) + (320).to_bytes(2, "little") + bytes([bpm])

        def packets() -> int:
            assert links.treadmill is not None
            return links.treadmill.status().packets

        treadmill.notify(with_heart(131))
        wait_until(lambda: links.read().heart is not None and links.read().heart.bpm == 131)
        n = packets()
        treadmill.notify(with_heart(0))  # the grips let go: 0 is "no heart rate"
        wait_until(lambda: packets() > n)
        assert links.read().heart is not None
        assert links.read().heart.bpm is None

        treadmill.notify(with_heart(140))
        wait_until(lambda: links.read().heart is not None and links.read().heart.bpm == 140)
        for _ in range(5):  # then speed only, for 5 s: the bpm is 5 s old, not fresh
            clock[0] += 1.0
            n = packets()
            treadmill.notify(speed_packet(3.2))
            wait_until(lambda n=n: packets() > n)
        heart = links.read().heart
        assert heart is not None
        assert heart.updated_at is not None and clock[0] - heart.updated_at >= 5.0
    finally:
        links.close()


def test_reloading_again_and_again_leaves_no_thread_behind(air: VirtualAir) -> None:
    """Staff save the file many times in a row (a treadmill found, one missing, a strap):
    every old link is dropped, and closing leaves no ``backstep-*`` thread."""
    console = air.treadmill("Console")
    console.advertise()
    before = link_threads()
    links = MachineLinks(TreadmillConfig(), HeartRateConfig(), central_factory=centrals(air))
    links.start()
    try:
        for i in range(6):
            device = "Console" if i % 2 == 0 else "Nowhere"
            started = time.monotonic()
            assert links.apply(
                TreadmillConfig(enabled=True, device=device, **FAST),
                HeartRateConfig(enabled=True, device=f"Strap {i}", **FAST),
            )
            assert time.monotonic() - started < 0.5  # the UI loop never waits on Bluetooth
            time.sleep(0.3 if i < 5 else 0.0)  # the last one closes while its old links drop
        names = [t.name for t in threading.enumerate() if t.name.startswith("backstep-")]
        assert names.count("backstep-treadmill") <= 6 and names.count("backstep-heart-rate") <= 6
    finally:
        links.close()
    assert link_threads() == before  # close joined them all: none is left to end later
    assert not console.control_point_writes
