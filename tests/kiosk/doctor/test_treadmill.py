"""The doctor's treadmill and heart-rate lines, scanning bumble's in-process radio."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from support.ble_air import VirtualAir
from support.paths import ROOT

from hw.ble.central import Peripheral, SeenDevice
from hw.ble.errors import NoBluetooth
from hw.ble.settings import HeartRateConfig, TreadmillConfig
from kiosk.config.schema import BackstepConfig
from kiosk.doctor.treadmill import check_heart_rate, check_treadmill


@dataclass
class Sections:
    """The two sections, as `BackstepConfig` will carry them."""

    treadmill: TreadmillConfig = field(default_factory=TreadmillConfig)
    heart_rate: HeartRateConfig = field(default_factory=HeartRateConfig)


class NoAdapter:
    """A central on a machine without BlueZ (what `BleakCentral` raises there)."""

    async def find(self, target: str, timeout_s: float) -> SeenDevice | None:
        raise NoBluetooth("no BlueZ to talk to ([Errno 2] No such file or directory)")

    async def connect(self, target: str, timeout_s: float) -> Peripheral:
        raise NoBluetooth("no BlueZ")

    async def nearby(self, service_uuid: str, timeout_s: float) -> list[SeenDevice]:
        raise NoBluetooth("no BlueZ")


@pytest.fixture
def air() -> Iterator[VirtualAir]:
    radio = VirtualAir()
    yield radio
    radio.close()


def test_off_sections_say_not_configured_without_scanning() -> None:
    # no central is given: a scan would reach for BlueZ, which is not here
    assert check_treadmill(Sections()).detail.startswith("not configured")
    assert check_heart_rate(Sections()).detail.startswith("not configured")
    assert check_treadmill(Sections()).status == "ok"


def test_a_treadmill_advertising_nearby_is_found_by_name(air: VirtualAir) -> None:
    air.treadmill("Woodway 4Front", "F1:00:00:00:00:07").advertise()
    cfg = Sections(treadmill=TreadmillConfig(enabled=True, device="Woodway 4Front"))
    result = check_treadmill(cfg, air.central("F2:00:00:00:00:07"), timeout_s=3)
    assert result.status == "ok"
    assert result.detail == "found Woodway 4Front (F1:00:00:00:00:07)"


def test_a_strap_is_found_by_address(air: VirtualAir) -> None:
    air.strap("Polar H10", "F1:00:00:00:00:08").advertise()
    cfg = Sections(heart_rate=HeartRateConfig(enabled=True, device="f1:00:00:00:00:08"))
    result = check_heart_rate(cfg, air.central("F2:00:00:00:00:08"), timeout_s=3)
    assert (result.status, result.detail) == ("ok", "found Polar H10 (F1:00:00:00:00:08)")


def test_a_silent_treadmill_is_not_found_with_a_fix(air: VirtualAir) -> None:
    air.treadmill("Someone Else's Treadmill", "F1:00:00:00:00:09").advertise()
    cfg = Sections(treadmill=TreadmillConfig(enabled=True, device="Woodway 4Front"))
    result = check_treadmill(cfg, air.central("F2:00:00:00:00:09"), timeout_s=1)
    assert result.status == "warn"
    assert "not found" in result.detail
    assert "bluetoothctl scan le" in result.fix


def test_no_bluetooth_is_a_warning_with_the_bluez_fix() -> None:
    cfg = Sections(treadmill=TreadmillConfig(enabled=True, device="Woodway 4Front"))
    result = check_treadmill(cfg, NoAdapter(), timeout_s=1)
    assert result.status == "warn"
    assert "no BlueZ" in result.detail
    assert "systemctl enable --now bluetooth" in result.fix


def test_heart_rate_from_the_treadmill_needs_the_treadmill_link() -> None:
    hr = HeartRateConfig(enabled=True, device="treadmill")
    alone = check_heart_rate(Sections(heart_rate=hr), NoAdapter())
    assert alone.status == "warn"
    assert "treadmill.enabled = true" in alone.fix
    linked = Sections(TreadmillConfig(enabled=True, device="Woodway 4Front"), hr)
    assert check_heart_rate(linked, NoAdapter()).status == "ok"


def test_the_shipped_staff_file_holds_the_guides_block_and_the_doctor_reads_it(
    air: VirtualAir,
) -> None:
    doc = (ROOT / "docs" / "treadmill.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert block is not None
    staff = (ROOT / "config" / "backstep.toml").read_text(encoding="utf-8")
    assert block.group(1).strip() in staff
    cfg = BackstepConfig.model_validate(tomllib.loads(staff))
    assert check_treadmill(cfg).detail.startswith("not configured")

    air.treadmill("Woodway 4Front", "F1:00:00:00:00:0A").advertise()
    cfg.treadmill = TreadmillConfig(enabled=True, device="Woodway 4Front")
    found = check_treadmill(cfg, air.central("F2:00:00:00:00:0A"), timeout_s=3)
    assert found.status == "ok"
