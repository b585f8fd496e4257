"""`backstep doctor` lines for the treadmill (FTMS) and the heart-rate strap: a scan, no link.

Each check only listens for the configured device's advertisements (never connects, never
writes) under a time limit, so a wedged BlueZ cannot hang the doctor. A device that is not
found is a warning, not a failure: a session runs without it, as it does today.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from hw.ble.central import BleakCentral, Central, SeenDevice
from hw.ble.errors import NoBluetooth
from hw.ble.settings import HeartRateConfig, TreadmillConfig
from kiosk.doctor.probes import CheckResult, ProbeTimeout, run_with_timeout

logger = logging.getLogger(__name__)

_BLUETOOTH_FIX = (
    "`sudo systemctl enable --now bluetooth`, `rfkill unblock bluetooth`, and the kiosk's "
    "user in group bluetooth (`bluetoothctl show` must list a powered controller)"
)


class BleSections(Protocol):
    """The two staff-file sections the checks read (`BackstepConfig` has both)."""

    @property
    def treadmill(self) -> TreadmillConfig: ...

    @property
    def heart_rate(self) -> HeartRateConfig: ...


def _scan(central: Central, target: str, timeout_s: float) -> SeenDevice | None:
    # the scan has its own event loop, in run_with_timeout's thread
    return run_with_timeout(lambda: asyncio.run(central.find(target, timeout_s)), timeout_s + 5.0)


def _look_for(
    name: str, target: str, what: str, fix: str, central: Central, timeout_s: float
) -> CheckResult:
    try:
        seen = _scan(central, target, timeout_s)
    except (NoBluetooth, ProbeTimeout) as exc:
        return CheckResult(name, "warn", f"cannot scan for {target}: {exc}", _BLUETOOTH_FIX)
    if seen is None:
        return CheckResult(
            name, "warn", f"{what} {target} not found in a {timeout_s:g} s scan", fix
        )
    label = f"{seen.name} ({seen.address})" if seen.name else seen.address
    return CheckResult(name, "ok", f"found {label}")


def check_treadmill(
    cfg: BleSections, central: Central | None = None, timeout_s: float = 8.0
) -> CheckResult:
    """The configured treadmill advertises nearby (FTMS), or the link is off."""
    section = cfg.treadmill
    if not section.enabled:
        return CheckResult("treadmill", "ok", "not configured (treadmill.enabled = false)")
    fix = (
        "wake the treadmill's console (most advertise only while on); check treadmill.device "
        "against `bluetoothctl scan le` (its address or advertised name); a phone app "
        "connected to the treadmill keeps others out, so disconnect it"
    )
    return _look_for(
        "treadmill", section.device, "treadmill", fix, central or BleakCentral(), timeout_s
    )


def check_heart_rate(
    cfg: BleSections, central: Central | None = None, timeout_s: float = 8.0
) -> CheckResult:
    """The configured strap advertises nearby, or heart rate comes from the treadmill, or off."""
    section = cfg.heart_rate
    if not section.enabled:
        return CheckResult("heart rate", "ok", "not configured (heart_rate.enabled = false)")
    if section.from_treadmill:
        if not cfg.treadmill.enabled:
            return CheckResult(
                "heart rate",
                "warn",
                'heart_rate.device = "treadmill" but the treadmill link is off',
                "set treadmill.enabled = true (and treadmill.device), or pair a strap",
            )
        return CheckResult(
            "heart rate", "ok", "from the treadmill's own heart-rate field (when it reports one)"
        )
    fix = (
        "a strap advertises only while worn (moisten its electrodes); check heart_rate.device "
        "against `bluetoothctl scan le`; a strap paired to a phone or watch may not advertise"
    )
    return _look_for(
        "heart rate", section.device, "strap", fix, central or BleakCentral(), timeout_s
    )
