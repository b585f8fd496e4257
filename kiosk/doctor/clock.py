"""``backstep doctor``'s clock check: a Pi has no battery-backed clock, so it needs NTP."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: systemd-timesyncd touches this file once the clock is synchronised.
TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")

_FIX = (
    "connect the station to a network with NTP (`timedatectl` shows 'System clock "
    "synchronized: yes'; `sudo timedatectl set-ntp true` turns it on): membership expiry and "
    "session dates come from this clock"
)


def clock_synchronized() -> bool | None:
    """Whether the system clock is NTP-synchronised; None when this machine cannot tell."""
    try:
        done = subprocess.run(
            ["timedatectl", "show", "--property=NTPSynchronized", "--value"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    answer = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if answer in ("yes", "no"):
        return answer == "yes"
    return True if TIMESYNCD_FLAG.exists() else None


@dataclass(frozen=True)
class ClockReport:
    """The doctor's line about the clock (``kiosk.doctor.checks`` makes it a CheckResult)."""

    status: Literal["ok", "warn"]
    detail: str
    fix: str = ""


def check_clock(synchronized: bool | None = None, *, probe: bool = True) -> ClockReport:
    """Warn (never fail: sessions still run) while the clock is not known to be in sync."""
    state = clock_synchronized() if probe and synchronized is None else synchronized
    now = time.strftime("%Y-%m-%d %H:%M %Z")
    if state:
        return ClockReport("ok", f"{now}, synchronised")
    if state is None:
        return ClockReport("warn", f"{now}; cannot tell if it is synchronised", _FIX)
    return ClockReport("warn", f"{now}, NOT synchronised (a Pi has no RTC)", _FIX)
