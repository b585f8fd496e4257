"""Pairing a treadmill or strap from the staff screen: the scan's thread and the file write."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hw.ble.central import BleakCentral, Central
from hw.ble.ftms import FTMS_SERVICE_UUID
from hw.ble.heart_rate import HEART_RATE_SERVICE_UUID
from kiosk.config.edit import ConfigWriteError, save_device
from kiosk.config.safe import remember_valid
from kiosk.flow.pairing import KIND_WORDS, FoundDevice, PairingState, ScanOutcome

if TYPE_CHECKING:
    from kiosk.app.station import Station

from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: The service each kind advertises: FTMS (0x1826) for treadmills, HRS (0x180D) for straps.
SERVICES = {"treadmill": FTMS_SERVICE_UUID, "heart_rate": HEART_RATE_SERVICE_UUID}
#: How long one pairing scan listens: a console advertises about once a second.
SCAN_S = 8.0


class DevicePairing:
    """Scans in a thread of its own (the UI loop never waits on Bluetooth), writes the choice.

    ``central``: makes the Bluetooth stack (bleak on the station, bumble in the tests);
    ``reload``: asks for the live reload once the staff file changed.
    """

    def __init__(
        self,
        config_path: Path | None,
        reload: Callable[[], None],
        report: Callable[[str], None],
        central: Callable[[], Central] = BleakCentral,
        scan_s: float = SCAN_S,
    ) -> None:
        self.config_path = config_path
        self._reload = reload
        self._report = report
        self._central = central
        self.scan_s = scan_s
        #: one scan at a time: BlueZ refuses a second discovery while one runs
        self._lock = threading.Lock()
        self.threads: list[WorkerThread] = []

    @classmethod
    def for_station(cls, station: Station) -> DevicePairing:
        """Pairing into the station's staff file, then its live reload."""

        def reload() -> None:
            if station.reloader is not None:
                station.reloader.request()

        return cls(station.config_path, reload, station.report)

    def scan(self, state: PairingState | None, kind: str, scan_id: int) -> None:
        """Start a scan for ``kind``; its outcome goes to ``state.deliver`` when it ends."""
        if state is None:
            return
        thread = WorkerThread(lambda: self._scan(state, kind, scan_id), "backstep-pairing")
        self.threads = [t for t in self.threads if t.is_alive] + [thread]
        thread.start()

    def _scan(self, state: PairingState, kind: str, scan_id: int) -> None:
        with self._lock:
            try:
                central = self._central()
                seen = asyncio.run(
                    asyncio.wait_for(central.nearby(SERVICES[kind], self.scan_s), self.scan_s + 5)
                )
                devices = tuple(
                    FoundDevice(d.address, d.name, getattr(d, "rssi", None)) for d in seen
                )
                outcome = ScanOutcome(scan_id, devices)
            except Exception as exc:  # no adapter, BlueZ down, bleak missing: say so, go on
                logger.warning("pairing scan for %s failed: %s", kind, exc)
                outcome = ScanOutcome(scan_id, (), f"cannot scan: {exc}")
        logger.info("pairing scan for %s: %d found", kind, len(outcome.devices))
        state.deliver(outcome)

    def pair(self, kind: str, device: str, name: str = "") -> str:
        """Write ``device`` and ``enabled = true`` for ``kind``; the staff screen's message."""
        words = KIND_WORDS.get(kind, kind)  # type: ignore[call-overload]
        if self.config_path is None:
            return f"{words}: no staff file to save it in"
        try:
            save_device(self.config_path, kind, device)
        except ConfigWriteError as exc:
            self._report(f"pairing: {exc}")
            return f"{words} NOT saved (see errors)"
        remember_valid(self.config_path)
        self._reload()
        return f"{words} saved: {name or device}"
