"""Opening the station's parts for the app, each failure a message instead of a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hw.events import ButtonEvent
from hw.station import StationHardware, open_hardware
from kiosk.app.notify import Notifier
from kiosk.app.store_link import StoreOpener
from kiosk.config.edit import ConfigWriteError, save_zone
from kiosk.config.reload import ConfigReloader
from kiosk.config.safe import remember_valid
from kiosk.config.schema import BackstepConfig
from kiosk.flow.types import Screen
from kiosk.members.checkin import CheckinService, QrScanner
from kiosk.store.database import Store
from kiosk.store.health import open_checked_store
from vision.settings import ZoneConfig

if TYPE_CHECKING:
    from gpiozero import Factory

    from kiosk.fleet.station import StationFleet

logger = logging.getLogger(__name__)


@dataclass
class StationParts:
    """What ``open_parts`` got going; None where a part is unavailable (see ``problems``)."""

    hardware: StationHardware | None = None
    gpio_warning: str = ""
    store: Store | None = None
    checkin: CheckinService | None = None
    qr: QrScanner | None = None
    reloader: ConfigReloader | None = None
    notifier: Notifier | None = None
    fleet: StationFleet | None = None  # only when [fleet] database is set
    #: retries opening the database in the background when it failed at start
    opener: StoreOpener | None = None
    #: a standing storage message for staff (a damaged database moved aside)
    store_note: str = ""

    def close(self) -> None:
        """Close every part that was opened (idempotent; a failing one does not stop the rest)."""
        parts = {
            "opener": self.opener,
            "hardware": self.hardware,
            "fleet": self.fleet,
            "store": self.store,
            "reloader": self.reloader,
            "notifier": self.notifier,
        }
        self.opener = None
        self.hardware = self.fleet = self.store = self.reloader = self.notifier = None
        for name, part in parts.items():
            if part is None:
                continue
            try:
                part.close()
            except Exception:
                logger.exception("closing %s failed", name)


def open_parts(
    config: BackstepConfig,
    post: Callable[[ButtonEvent], None],
    pin_factory: Factory | None,
    config_path: Path | None,
    on_error: Callable[[str], None],
) -> StationParts:
    """GPIO, storage and check-in, the config reloader and the systemd notifier.

    The kiosk keeps coaching without any of them: no GPIO means keyboard only, no database
    means nothing is saved; each problem goes to ``on_error`` (the staff screen).
    """
    parts = StationParts()
    try:
        parts.hardware = open_hardware(config.gpio, post, pin_factory)
        parts.gpio_warning = parts.hardware.warning or ""
    except Exception as exc:
        logger.exception("hardware failed")
        parts.gpio_warning = f"GPIO failed: {exc} — keyboard only"
    try:
        # checks integrity (a damaged file is moved aside), closes a session a crash left
        # open as "interrupted", applies retention
        parts.store, note = open_checked_store(config.storage, time.time())
        if note:
            parts.store_note = note
            on_error(note)
    except Exception as exc:
        on_error(f"storage unavailable: {exc} (retrying in the background)")

        def note_moved(note: str) -> None:
            parts.store_note = note
            on_error(note)

        parts.opener = StoreOpener(config.storage, open_checked_store, on_error, note_moved)
        parts.opener.last_error = str(exc)
        parts.opener.start()
    if config.fleet.enabled and parts.store is not None:
        try:
            # psycopg is loaded only for a station that has a fleet
            from kiosk.fleet.station import open_station_fleet

            parts.fleet = open_station_fleet(config, parts.store.path, on_notice=on_error)
        except Exception as exc:
            on_error(f"fleet unavailable (this station works alone): {exc}")
    try:
        parts.checkin = CheckinService(
            parts.store,
            config.checkin,
            config.station.id,
            fleet=parts.fleet.lookup if parts.fleet is not None else None,
            on_notice=on_error,
        )
        if config.checkin.qr:
            parts.qr = QrScanner.from_config(config.checkin)
    except Exception as exc:
        on_error(f"check-in unavailable: {exc}")
    if config_path is not None:
        try:
            parts.reloader = ConfigReloader(config_path, config)
        except Exception as exc:
            on_error(f"config reload unavailable: {exc}")
    try:
        parts.notifier = Notifier()
    except Exception:
        logger.exception("sd_notify unavailable")
    return parts


def moved_zone(config: BackstepConfig, delta: dict[str, float]) -> ZoneConfig:
    """The config's zone with each edge moved by ``delta`` (clamped to 0..1).

    Raises ValueError (pydantic's) when the edges cross.
    """
    z = config.zone
    values = {
        k: min(1.0, max(0.0, getattr(z, k) + delta.get(k, 0.0))) for k in ("x0", "y0", "x1", "y1")
    }
    return ZoneConfig(**values)


def persist_zone(
    path: Path | None,
    zone: ZoneConfig,
    on_error: Callable[[str], None],
    console_side: str | None = None,
) -> str:
    """Save the zone (and the console's side, when given) into the staff file, comments
    kept; the staff screen's message."""
    if path is None:
        return "Zone applied; no staff file to save it in"
    try:
        save_zone(path, zone, console_side)
    except ConfigWriteError as exc:
        on_error(f"zone: {exc}")
        return "Zone applied, NOT saved (see errors)"
    remember_valid(path)
    return "Zone saved"


def show_screen_on_led(hardware: StationHardware, screen: Screen) -> None:
    """The status LED: alert on the safety screen, attention without a camera, else ready."""
    if screen is Screen.SAFETY:
        hardware.led.show_alert()
    elif screen is Screen.CAMERA_LOST:
        hardware.led.show_attention()
    else:
        hardware.led.show_ready()
