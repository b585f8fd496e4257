"""The virtual Bluetooth LE air (`hw.ble.virtual`, which the bench uses too) and the tests'
helpers around it: a radio per test, and a wait for a link to catch up."""

import time
from collections.abc import Callable, Iterator

import pytest

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
    "air",
    "heart_rate_measurement",
    "treadmill_data",
    "wait_until",
]


def wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Poll ``check`` until true; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def air() -> Iterator[VirtualAir]:
    """A virtual radio of this test's own, closed after it."""
    radio = VirtualAir()
    yield radio
    radio.close()
