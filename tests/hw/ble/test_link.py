"""The links end to end over bumble's in-process radio: a virtual treadmill and a virtual strap."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest
from support.ble_air import VirtualAir, treadmill_data, wait_until

from hw.ble.ftms import FTMS_SERVICE_UUID
from hw.ble.heart_rate import HEART_RATE_SERVICE_UUID
from hw.ble.link import HeartRateLink, TreadmillLink, TreadmillReading
from hw.ble.settings import HeartRateConfig, TreadmillConfig

FAST = {"connect_timeout_s": 2.0, "backoff_min_s": 0.1, "backoff_max_s": 0.4}


def test_treadmill_values_arrive_and_survive_the_console_going_away(air: VirtualAir) -> None:
    treadmill = air.treadmill("Woodway 4Front")
    treadmill.advertise()
    with TreadmillLink(air.central("F2:00:00:00:00:01"), "Woodway 4Front", **FAST) as link:
        assert any(t.name == "backstep-treadmill" for t in threading.enumerate())
        wait_until(lambda: link.status().connected)

        treadmill.notify(treadmill_data(3.2, 150, 2.5, 95))
        wait_until(lambda: link.latest().elapsed_time_s == 95)
        reading = link.latest()
        assert reading.connected
        assert reading.speed_kmh == pytest.approx(3.2)
        assert reading.total_distance_m == 150
        assert reading.inclination_pct == pytest.approx(2.5)

        treadmill.notify(b"\x04\x00\x01")  # distance announced, one byte of three: dropped
        treadmill.notify(b"\x01\x04\x60\x00")  # More Data set: elapsed time only, no speed
        wait_until(lambda: link.latest().elapsed_time_s == 96)
        assert link.latest().speed_kmh == pytest.approx(3.2)  # kept from the last packet with it
        assert link.status().malformed == 1

        treadmill.drop()
        wait_until(lambda: not link.status().connected)
        assert link.latest().connected is False
        assert link.latest().speed_kmh == pytest.approx(3.2)  # stale, marked so, not erased

        treadmill.advertise()  # the console comes back
        wait_until(lambda: link.status().connected)
        treadmill.notify(treadmill_data(4.0, 180, 3.0, 120))
        wait_until(lambda: link.latest().elapsed_time_s == 120)
        assert link.latest().speed_kmh == pytest.approx(4.0)
        status = link.status()
        assert (status.connects, status.drops) == (2, 1)
        assert status.packets == 3
    assert not any(t.name == "backstep-treadmill" for t in threading.enumerate())
    wait_until(lambda: not treadmill.connected)  # closing the link drops it
    assert treadmill.control_point_writes == []  # read-only: the belt was never commanded


def test_heart_rate_by_address_with_rr_and_a_dropped_strap(air: VirtualAir) -> None:
    strap = air.strap("Polar H10 A1B2C3D4", "F1:00:00:00:00:02")
    strap.advertise()
    with HeartRateLink(air.central("F2:00:00:00:00:02"), "F1:00:00:00:00:02", **FAST) as link:
        wait_until(lambda: link.status().connected)
        strap.notify(bytes([0x16, 128, 0x00, 0x02]))  # contact, RR 0.5 s
        wait_until(lambda: link.latest().bpm == 128)
        assert link.latest().contact is True
        assert link.latest().rr_intervals_s == (0.5,)

        strap.drop()
        wait_until(lambda: not link.status().connected)
        strap.advertise()
        wait_until(lambda: link.status().connected)
        strap.notify(bytes([0x01, 0x90, 0x00]))  # uint16 bpm 144
        wait_until(lambda: link.latest().bpm == 144)
        assert link.status().connects == 2


def test_a_missing_device_never_blocks_the_reader_and_close_is_prompt(air: VirtualAir) -> None:
    link = TreadmillLink(air.central("F2:00:00:00:00:03"), "Nobody Here", **FAST)
    link.start()
    wait_until(lambda: "not seen" in link.status().last_error)
    assert link.status().connects == 0
    started = time.monotonic()
    for _ in range(100):
        link.latest()  # while the link thread scans
    assert time.monotonic() - started < 0.1
    assert link.latest().connected is False
    link.close()
    link.close()  # idempotent
    assert not any(t.name == "backstep-treadmill" for t in threading.enumerate())


def test_close_does_not_wait_for_a_scan_to_time_out(air: VirtualAir) -> None:
    link = TreadmillLink(air.central("F2:00:00:00:00:04"), "Nobody Here", connect_timeout_s=30)
    link.start()
    time.sleep(0.3)  # the link is scanning, for up to 30 s
    started = time.monotonic()
    link.close()
    assert time.monotonic() - started < 1.0
    assert not any(t.name == "backstep-treadmill" for t in threading.enumerate())


def test_nearby_lists_only_the_treadmills_for_pairing(air: VirtualAir) -> None:
    air.treadmill("Matrix T7xe", "F1:00:00:00:00:11").advertise()
    air.treadmill("Life Fitness Integrity", "F1:00:00:00:00:12").advertise()
    air.strap("Polar H10", "F1:00:00:00:00:13").advertise()
    central = air.central("F2:00:00:00:00:11")
    # a scan lasts its whole window: 3 s leaves room for a machine busy with other tests
    found = asyncio.run(central.nearby(FTMS_SERVICE_UUID, 3.0))
    assert [(d.name, d.address) for d in found] == [
        ("Matrix T7xe", "F1:00:00:00:00:11"),
        ("Life Fitness Integrity", "F1:00:00:00:00:12"),
    ]
    straps = asyncio.run(central.nearby(HEART_RATE_SERVICE_UUID, 3.0))
    assert [d.name for d in straps] == ["Polar H10"]


def test_speed_in_the_staff_file_units() -> None:
    reading = TreadmillReading(speed_kmh=3.218688)  # 2 mph
    assert reading.speed("mph") == pytest.approx(2.0)
    assert reading.speed("km/h") == pytest.approx(3.218688)
    assert TreadmillReading().speed("mph") is None


def test_links_from_the_staff_file_sections(air: VirtualAir) -> None:
    treadmill = TreadmillLink.from_config(
        TreadmillConfig(enabled=True, device="Woodway 4Front", reconnect_max_s=5)
    )
    assert (treadmill.target, treadmill._backoff_max_s) == ("Woodway 4Front", 5)
    with pytest.raises(ValueError, match="TreadmillLink"):
        HeartRateLink.from_config(HeartRateConfig(enabled=True, device="treadmill"))
    strap = air.strap("Polar H10", "F1:00:00:00:00:21")
    strap.advertise()
    cfg = HeartRateConfig(enabled=True, device="f1:00:00:00:00:21", connect_timeout_s=3)
    with HeartRateLink.from_config(cfg, air.central("F2:00:00:00:00:21")) as link:
        wait_until(lambda: link.status().connected)
        strap.notify(b"\x00\x41")
        wait_until(lambda: link.latest().bpm == 65)


def test_a_device_name_with_control_characters_is_shown_without_them(air: VirtualAir) -> None:
    """Anyone can advertise a name: escape sequences, newlines or a NUL must not reach the
    staff screen, the doctor's terminal or a log line as control characters."""
    hostile = "Evil\x1b[2J\x1b[31mTread\nmill\r\x00\x07\u202e"
    air.treadmill(hostile, "F1:00:00:00:00:21").advertise()
    central = air.central("F2:00:00:00:00:21")
    found = asyncio.run(central.nearby(FTMS_SERVICE_UUID, 3.0))
    assert [d.address for d in found] == ["F1:00:00:00:00:21"]
    name = found[0].name
    assert name == "Evil?[2J?[31mTread?mill????"
    assert all(ch.isprintable() for ch in name)
    seen = asyncio.run(central.find("F1:00:00:00:00:21", 5.0))  # returns once seen
    assert seen is not None and seen.name == name


def breaker(peer, when: Callable[[], bool]) -> tuple[threading.Thread, threading.Event, list[int]]:
    """A thread that breaks the device's link each time ``when`` says so (and re-advertises);
    counts the links it broke."""
    stop, broken = threading.Event(), [0]

    def run() -> None:
        while not stop.is_set():
            if peer.connected and when():
                peer.drop()
                peer.advertise()
                broken[0] += 1
            time.sleep(0.005)

    return threading.Thread(target=run, name="test-breaker", daemon=True), stop, broken


def test_a_device_gone_during_discovery_does_not_end_the_link(air: VirtualAir) -> None:
    """A console switched off (or a strap out of range) in the middle of service discovery:
    the stack cancels its own request; the link retries, and connects once it stays."""
    flaky = air.treadmill("Flaky")
    flaky.advertise()
    thread, stop, broken = breaker(flaky, lambda: True)  # as soon as a central connects
    thread.start()
    link = TreadmillLink(air.central("F2:00:00:00:00:31"), "Flaky", **FAST)
    with link:
        try:
            wait_until(lambda: broken[0] >= 2, timeout_s=15.0)
        except AssertionError:
            raise AssertionError((broken, link.status())) from None
        stop.set()
        thread.join(2.0)
        flaky.advertise()
        wait_until(lambda: link.status().connected, timeout_s=15.0)
        assert any(t.name == "backstep-treadmill" for t in threading.enumerate())


class InstantDropCentral:
    """A device that accepts every link and breaks it at once, at no radio cost: what a
    hostile device does, faster than bumble's virtual air can (its scans pace every attempt)."""

    def __init__(self) -> None:
        self.attempts = 0

    async def find(self, target: str, timeout_s: float):
        return None

    async def nearby(self, service_uuid: str, timeout_s: float):
        return []

    async def connect(self, target: str, timeout_s: float):
        self.attempts += 1
        return self

    async def subscribe(self, uuid: str, on_value: Callable[[bytes], None]) -> None:
        pass

    async def wait_disconnected(self) -> None:
        await asyncio.sleep(0)

    async def disconnect(self) -> None:
        pass


def test_a_device_that_drops_every_link_at_once_is_retried_with_backoff() -> None:
    """The link backs off (0.2 s, then 0.4 s): not a reconnection, a warning line and a spin
    of the CPU per round trip, for ever."""
    central = InstantDropCentral()
    link = TreadmillLink(central, "Hostile", backoff_min_s=0.2, backoff_max_s=0.4)  # type: ignore[arg-type]
    with link:
        time.sleep(1.5)
    assert 2 <= central.attempts <= 6, central.attempts
    assert link.status().last_error.startswith("link lost")


def test_a_flood_of_notifications_is_dropped_unread_beyond_a_treadmills_rate() -> None:
    """A broken or hostile device notifying 1000 times a second must not take the GIL from
    the pose loop: past a burst (a state split over a few packets), at most 50 a
    second are parsed; the rest are counted and dropped unread."""
    clock = [0.0]
    link = TreadmillLink(None, "Flood", clock=lambda: clock[0])  # type: ignore[arg-type]
    rr_flood = HeartRateLink(None, "Strap", clock=lambda: clock[0])  # type: ignore[arg-type]
    for i in range(3000):  # 3 s at 1 kHz, over the link's own callback
        clock[0] = i / 1000
        link._on_value(treadmill_data(3.0 + i / 10000, 100, 1.0, i // 1000))
        rr_flood._on_value(bytes([0x10, 150]) + bytes(400))  # 200 RR intervals each
    status = link.status()
    assert status.packets <= 20 + 3 * 50 + 1, status
    assert status.packets + status.dropped == 3000
    assert rr_flood.status().packets <= 171
    assert link.latest().elapsed_time_s == 2  # what is parsed is still the latest
    clock[0] = 10.0  # the flood ended: a treadmill's packets are all read again
    for i in range(5):
        clock[0] += 0.25
        link._on_value(treadmill_data(4.0, 200, 1.0, 10 + i))
    assert link.latest().elapsed_time_s == 14
