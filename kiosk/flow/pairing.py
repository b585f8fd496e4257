"""The staff screen's pairing step: pick the treadmill or strap from a Bluetooth scan.

Pure state, no I/O: choosing what to pair asks the app for a scan (`ScanDevices`), the scan's
thread hands its outcome back with `PairingState.deliver` (one assignment, safe from any
thread), and choosing a device asks the app to write it into the staff file (`PairDevice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.flow.effects import Effect, PairDevice, ScanDevices

DeviceKind = Literal["treadmill", "heart_rate"]
#: What can be paired, in the order the staff screen lists them, and the words for each.
KINDS: tuple[DeviceKind, ...] = ("treadmill", "heart_rate")
KIND_WORDS: dict[DeviceKind, str] = {"treadmill": "Treadmill", "heart_rate": "Heart-rate strap"}


@dataclass(frozen=True, slots=True)
class FoundDevice:
    """A device that answered the scan (``rssi`` in dBm when the stack reports it)."""

    address: str
    name: str
    rssi: int | None = None


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What one scan found (``error``: why it could not scan, e.g. no Bluetooth adapter)."""

    scan_id: int
    devices: tuple[FoundDevice, ...] = ()
    error: str = ""


@dataclass(slots=True)
class PairingState:
    """Which kind is chosen, the scan under way or its list, and the device chosen in it."""

    kind_index: int = 0
    #: False while choosing the kind; True once a scan was asked for (its list follows)
    listing: bool = False
    scan_id: int = 0
    #: set by the scan's thread (a single assignment of a frozen value)
    outcome: ScanOutcome | None = None
    device_index: int = 0

    @property
    def kind(self) -> DeviceKind:
        """The kind being paired."""
        return KINDS[self.kind_index]

    @property
    def result(self) -> ScanOutcome | None:
        """The outcome of the current scan (None while it runs; older scans are ignored)."""
        outcome = self.outcome
        return outcome if outcome is not None and outcome.scan_id == self.scan_id else None

    @property
    def scanning(self) -> bool:
        """True while the current scan runs."""
        return self.listing and self.result is None

    def deliver(self, outcome: ScanOutcome) -> None:
        """The scan finished (called from the scan's thread)."""
        self.outcome = outcome

    def press(self, name: str) -> tuple[list[Effect], bool]:
        """One button press; returns (effects, True to go back to the staff menu)."""
        if not self.listing:
            if name in ("up", "down"):
                self.kind_index = (self.kind_index + (1 if name == "down" else -1)) % len(KINDS)
            elif name in ("select", "start"):
                return [self._scan()], False
            elif name == "stop":
                return [], True
            return [], False
        result = self.result
        devices = result.devices if result is not None else ()
        if name == "stop":
            self.listing = False  # back to the kinds; a late outcome is ignored
            self.scan_id += 1
            return [], False
        if result is None:
            return [], False  # scanning: wait for it (or STOP)
        if name in ("up", "down") and devices:
            step = 1 if name == "down" else -1
            self.device_index = (self.device_index + step) % len(devices)
        elif name in ("select", "start"):
            if not devices:
                return [self._scan()], False  # nothing found: scan again
            chosen = devices[min(self.device_index, len(devices) - 1)]
            # the address, not the name: two consoles of one model advertise the same name
            return [PairDevice(self.kind, chosen.address or chosen.name, chosen.name)], True
        return [], False

    def _scan(self) -> ScanDevices:
        self.listing = True
        self.scan_id += 1
        self.device_index = 0
        return ScanDevices(self.kind, self.scan_id)
