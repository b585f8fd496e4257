"""Opening the station's parts for the app, each failure a message instead of a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hw.events import ButtonEvent
from kiosk.config.schema import BackstepConfig
from kiosk.flow.types import Screen

logger = logging.getLogger(__name__)


@dataclass
class StationParts:
    """What ``open_parts`` got going; None where a part is unavailable (see ``problems``)."""

    hardware: Any = None
    gpio_warning: str = ""
    store: Any = None
    checkin: Any = None
    qr: Any = None
    reloader: Any = None
    notifier: Any = None
    #: retries opening the database in the background when it failed at start
    opener: Any = None
    #: a standing storage message for staff (a damaged database moved aside)
    store_note: str = ""

    def close(self) -> None:
        """Close every part that was opened (idempotent; a failing one does not stop the rest)."""
        for name in ("opener", "hardware", "store", "reloader", "notifier"):
            part = getattr(self, name)
            if part is None:
                continue
            try:
                part.close()
            except Exception:
                logger.exception("closing %s failed", name)
            setattr(self, name, None)


def open_parts(
    config: BackstepConfig,
    post: Callable[[ButtonEvent], None],
    pin_factory: Any,
    config_path: Path | None,
    on_error: Callable[[str], None],
) -> StationParts:
    """GPIO, storage and check-in, the config reloader and the systemd notifier.

    The kiosk keeps coaching without any of them: no GPIO means keyboard only, no database
    means nothing is saved; each problem goes to ``on_error`` (the staff screen).
    """
    parts = StationParts()
    try:
        from hw.station import open_hardware

        parts.hardware = open_hardware(config.gpio, post, pin_factory)
        parts.gpio_warning = parts.hardware.warning or ""
    except Exception as exc:
        logger.exception("hardware failed")
        parts.gpio_warning = f"GPIO failed: {exc} — keyboard only"
    from kiosk.store.health import open_checked_store

    try:
        # checks integrity (a damaged file is moved aside), closes a session a crash left
        # open as "interrupted", applies retention
        parts.store, note = open_checked_store(config.storage, time.time())
        if note:
            parts.store_note = note
            on_error(note)
    except Exception as exc:
        from kiosk.app.store_link import StoreOpener

        on_error(f"storage unavailable: {exc} (retrying in the background)")

        def note_moved(note: str) -> None:
            parts.store_note = note
            on_error(note)

        parts.opener = StoreOpener(config.storage, open_checked_store, on_error, note_moved)
        parts.opener.last_error = str(exc)
        parts.opener.start()
    try:
        from kiosk.members.checkin import CheckinService, QrScanner

        parts.checkin = CheckinService(parts.store, config.checkin, config.station.id)
        if config.checkin.qr:
            parts.qr = QrScanner.from_config(config.checkin)
    except Exception as exc:
        on_error(f"check-in unavailable: {exc}")
    if config_path is not None:
        try:
            from kiosk.config.reload import ConfigReloader

            parts.reloader = ConfigReloader(config_path, config)
        except Exception as exc:
            on_error(f"config reload unavailable: {exc}")
    try:
        from kiosk.app.notify import Notifier

        parts.notifier = Notifier()
    except Exception:
        logger.exception("sd_notify unavailable")
    return parts


def moved_zone(config: BackstepConfig, delta: dict[str, float]) -> Any:
    """The config's zone with each edge moved by ``delta`` (clamped to 0..1).

    Raises ValueError (pydantic's) when the edges cross.
    """
    from vision.settings import ZoneConfig

    z = config.zone
    values = {
        k: min(1.0, max(0.0, getattr(z, k) + delta.get(k, 0.0))) for k in ("x0", "y0", "x1", "y1")
    }
    return ZoneConfig(**values)


def show_screen_on_led(hardware: Any, screen: Screen) -> None:
    """The status LED: alert on the safety screen, attention without a camera, else ready."""
    if screen is Screen.SAFETY:
        hardware.led.show_alert()
    elif screen is Screen.CAMERA_LOST:
        hardware.led.show_attention()
    else:
        hardware.led.show_ready()
