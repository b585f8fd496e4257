"""Apply a reloaded staff config to the running kiosk: live sections now, the rest later."""

from __future__ import annotations

import logging

from kiosk.app.logs import setup_logging
from kiosk.config.reload import ConfigReloader, live_sections_changed
from kiosk.config.schema import BackstepConfig
from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.machine import KioskController
from kiosk.flow.vision_link import VisionLike
from kiosk.flow.vision_snapshot import SnapshotBuilder
from kiosk.members.checkin import CheckinService, QrScanner
from kiosk.members.qr_worker import QrWorker
from kiosk.session.lifecycle import MemberSessions
from kiosk.ui.keyboard import KeyboardInput
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.voice import CueVoice

logger = logging.getLogger(__name__)


class LiveReload:
    """The app's part that applies a reloaded config; `KioskApp` inherits it."""

    config: BackstepConfig
    reloader: ConfigReloader | None
    controller: KioskController
    restart_needed: list[str]
    vision: VisionLike
    members: MemberSessions
    snapshots: SnapshotBuilder
    sound: SoundPlayer
    voice: CueVoice
    checkin_service: CheckinService | None
    keyboard: KeyboardInput
    qr: QrScanner | None
    qr_worker: QrWorker | None

    def _error(self, message: str) -> None:
        """Log and show on the staff screen (the app defines it)."""
        raise NotImplementedError

    def poll_reload(self) -> None:
        """Apply a pending SIGHUP or staff-screen reload; an invalid file keeps the old config."""
        if self.reloader is None:
            return
        outcome = self.reloader.poll()
        if outcome is None:
            return
        if not outcome.ok:
            for line in outcome.errors:
                self._error(f"config reload: {line}")
            self.controller.staff.message = "Config invalid — kept the old one"
            return
        self.config = outcome.config
        applied = live_sections_changed(outcome.changed)
        try:
            self.apply_live_config()
        except Exception as exc:
            logger.exception("applying the reloaded config failed")
            self._error(f"config reload: {exc}")
        self.restart_needed = list(outcome.restart_needed)
        logger.info(
            "config reloaded: applied %s", ", ".join(applied) if applied else "(nothing changed)"
        )
        message = "Config reloaded"
        if self.restart_needed:
            keys = ", ".join(self.restart_needed)
            logger.warning("config reload: restart needed: %s", keys)
            message = f"restart needed: {keys}"
        self.controller.staff.message = message[:60]

    def apply_live_config(self) -> None:
        """Hand every section of `kiosk.config.reload.LIVE_SECTIONS` to the part that uses it."""

        cfg = self.config
        setup_logging(cfg.logging)  # logging: a changed level applies at once
        # posture, gait, core, safety, smoothing, zone (and camera.view): the analyzer
        self.vision.apply_config(cfg)
        # programs, progression, cues: read when the next session is planned and built
        self.members.config = cfg
        self.snapshots.expected_view = cfg.camera.view
        self.sound.set_volume(cfg.cues.volume)
        self.voice.apply_live(cfg.sound)
        # staff and checkin: the controller, the check-in service, the card reader, QR
        c = self.controller
        c.staff_pin = cfg.staff.pin
        c.checkin_enabled = cfg.checkin.qr or cfg.checkin.card or cfg.checkin.buttons
        c.guest_allowed = cfg.checkin.guest
        c.buttons_checkin = cfg.checkin.buttons
        if c.member_id_digits != cfg.checkin.id_digits:
            c.member_id_digits = cfg.checkin.id_digits
            c.checkin.entry = DigitEntry(cfg.checkin.id_digits)
        if self.checkin_service is not None:
            self.checkin_service.cfg = cfg.checkin
        self.keyboard.card.key_timeout_s = cfg.checkin.card_key_timeout_s
        if self.qr_worker is not None:
            self.qr_worker.close()
            self.qr_worker = None
        if cfg.checkin.qr:
            self.qr = QrScanner.from_config(cfg.checkin)
            self.qr_worker = QrWorker(self.qr)
