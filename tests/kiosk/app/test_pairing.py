"""Pairing a treadmill or strap on the staff screen, over bumble's virtual air, into a real file."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pygame
import pytest
import tomlkit
from support.ble_air import VirtualAir
from support.paths import ROOT
from support.screen_views import make_view

from hw.ble.central import SeenDevice
from hw.ble.errors import NoBluetooth
from kiosk.app.effects import EffectRunner
from kiosk.app.pairing import DevicePairing
from kiosk.config.loader import load_config
from kiosk.flow.machine import STAFF_MENU, KioskController, Screen
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme


@pytest.fixture
def air() -> Iterator[VirtualAir]:
    radio = VirtualAir()
    yield radio
    radio.close()


@pytest.fixture
def staff_file(tmp_path: Path) -> Path:
    """A copy of the shipped staff file (its comments and every section)."""
    path = tmp_path / "backstep.toml"
    shutil.copy(ROOT / "config" / "backstep.toml", path)
    return path


class Reloader:
    def __init__(self) -> None:
        self.requests = 0

    def request(self) -> None:
        self.requests += 1


def open_pairing(central, staff_file: Path) -> tuple[KioskController, EffectRunner, Reloader]:
    """The staff screen unlocked, "Treadmill / strap" opened, through the app's effect runner."""
    reloader = Reloader()
    reported: list[str] = []
    station = SimpleNamespace(
        config_path=staff_file, reloader=reloader, report=reported.append, hardware=None
    )
    c = KioskController(staff_pin="0000")
    runner = EffectRunner(station, c, lambda: False, lambda _reason: None)  # type: ignore[arg-type]
    runner.pairing = DevicePairing(staff_file, reloader.request, reported.append, central, 1.5)
    c.on_button("select", "hold", 0)
    for _ in range(4):
        c.on_button("select", "press", 0)
    assert c.screen is Screen.STAFF and c.staff.unlocked
    for _ in range(STAFF_MENU.index("Treadmill / strap")):
        c.on_button("down", "press", 0)
    runner.apply(c.on_button("select", "press", 0), 0)
    assert c.staff.pairing is not None
    return c, runner, reloader


def drawn_texts(c: KioskController, size: tuple[int, int] = (800, 480)) -> list[str]:
    """The staff screen drawn with pygame's dummy driver: every text on it."""
    pygame.display.init()
    pygame.font.init()
    view = make_view(Screen.STAFF, None)
    view.controller = c
    theme = Theme(*size)
    theme.recording = True
    build_screens(theme)[Screen.STAFF].draw(pygame.Surface(size), view)
    return [d.text for d in theme.drawn]


def press(c: KioskController, runner: EffectRunner, name: str) -> float:
    """A button press carried out by the app; how long the UI loop was held up (s)."""
    start = time.monotonic()
    runner.apply(c.on_button(name, "press", 1.0), 1.0)
    return time.monotonic() - start


def wait_for_scan(c: KioskController) -> None:
    deadline = time.monotonic() + 15
    while c.staff.pairing is not None and c.staff.pairing.scanning:
        assert time.monotonic() < deadline, "the scan never ended"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("kind", "downs", "section", "other"),
    [("treadmill", 0, "treadmill", "heart_rate"), ("strap", 1, "heart_rate", "treadmill")],
)
def test_a_device_advertising_is_listed_and_choosing_it_writes_the_file(
    air: VirtualAir, staff_file: Path, kind: str, downs: int, section: str, other: str
) -> None:
    treadmill = air.treadmill("Woodway 4Front", "F1:00:00:00:00:07")
    strap = air.strap("Polar H10 7A1B", "F1:00:00:00:00:08")
    treadmill.advertise()
    strap.advertise()
    c, runner, reloader = open_pairing(lambda: air.central("F2:00:00:00:00:09"), staff_file)
    texts = drawn_texts(c)
    assert "Treadmill" in texts and "Heart-rate strap" in texts
    for _ in range(downs):
        press(c, runner, "down")
    held = press(c, runner, "select")  # scan: in a thread, the UI loop goes on
    assert held < 0.2, f"the scan held the UI loop for {held:.2f} s"
    assert any(t.startswith("Scanning") for t in drawn_texts(c))
    wait_for_scan(c)
    wanted = treadmill if kind == "treadmill" else strap
    unwanted = strap if kind == "treadmill" else treadmill
    texts = drawn_texts(c)
    assert wanted.device.name in texts and wanted.address in texts, texts
    assert not any(unwanted.address in t for t in texts), "the other service was listed"
    before = staff_file.read_text()
    press(c, runner, "select")  # pair the highlighted (only) device
    assert c.staff.pairing is None and "saved" in c.staff.message, c.staff.message
    after = staff_file.read_text()
    doc = tomlkit.parse(after)
    assert doc[section]["device"] == wanted.address and doc[section]["enabled"] is True
    assert doc[other]["enabled"] is False and doc[other]["device"] == ""
    # every comment kept: only the two lines changed
    changed = [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 2, changed
    config = load_config(staff_file)  # the file reloads valid
    assert getattr(config, section).device == wanted.address and getattr(config, section).enabled
    assert reloader.requests == 1


def test_without_bluetooth_the_screen_says_why_and_writes_nothing(staff_file: Path) -> None:
    class NoBlueZ:
        async def nearby(self, service_uuid: str, timeout_s: float) -> list[SeenDevice]:
            raise NoBluetooth("no BlueZ to talk to")

    c, runner, reloader = open_pairing(NoBlueZ, staff_file)
    before = staff_file.read_text()
    press(c, runner, "select")
    wait_for_scan(c)
    assert any(t.startswith("cannot scan") for t in drawn_texts(c))
    press(c, runner, "stop")  # back to the kinds
    press(c, runner, "stop")  # back to the menu
    assert c.staff.pairing is None and staff_file.read_text() == before
    assert reloader.requests == 0


def test_nothing_advertising_offers_another_scan(air: VirtualAir, staff_file: Path) -> None:
    c, runner, _ = open_pairing(lambda: air.central("F2:00:00:00:00:0A"), staff_file)
    press(c, runner, "select")
    wait_for_scan(c)
    assert any(t.startswith("None found") for t in drawn_texts(c))
    assert not any(t.endswith("…") for t in drawn_texts(c, (800, 480)))  # read whole
    first = c.staff.pairing.scan_id
    press(c, runner, "select")
    assert c.staff.pairing.scanning and c.staff.pairing.scan_id == first + 1
    wait_for_scan(c)


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)])
def test_a_long_list_keeps_the_chosen_device_on_screen(size) -> None:
    from kiosk.flow.digit_entry import DigitEntry
    from kiosk.flow.pairing import FoundDevice, PairingState, ScanOutcome
    from kiosk.flow.staff_menu import StaffState

    state = PairingState(listing=True, scan_id=1)
    devices = tuple(
        FoundDevice(f"F1:00:00:00:00:{i:02X}", f"Console {i}", -40 - i) for i in range(12)
    )
    state.deliver(ScanOutcome(1, devices))
    state.device_index = 11
    c = KioskController(staff_pin="0000")
    c.staff = StaffState(pin=DigitEntry(4), unlocked=True, pairing=state)
    texts = drawn_texts(c, size)
    assert "Console 11" in texts and "F1:00:00:00:00:0B · -51 dBm" in texts
