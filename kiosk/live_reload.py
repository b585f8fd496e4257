"""Apply a reloaded staff config to the running kiosk: live sections now, the rest later."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.qr_worker import QrWorker
from kiosk.reload import live_sections_changed

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)


def poll_reload(app: KioskApp) -> None:
    """Apply a pending SIGHUP or staff-screen reload; an invalid file keeps the old config."""
    if app.reloader is None:
        return
    outcome = app.reloader.poll()
    if outcome is None:
        return
    if not outcome.ok:
        for line in outcome.errors:
            app._error(f"config reload: {line}")
        app.controller.staff.message = "Config invalid — kept the old one"
        return
    app.config = outcome.config
    applied = live_sections_changed(outcome.changed)
    try:
        apply_live_config(app)
    except Exception as exc:
        logger.exception("applying the reloaded config failed")
        app._error(f"config reload: {exc}")
    app.restart_needed = list(outcome.restart_needed)
    logger.info(
        "config reloaded: applied %s", ", ".join(applied) if applied else "(nothing changed)"
    )
    message = "Config reloaded"
    if app.restart_needed:
        keys = ", ".join(app.restart_needed)
        logger.warning("config reload: restart needed: %s", keys)
        message = f"restart needed: {keys}"
    app.controller.staff.message = message[:60]


def apply_live_config(app: KioskApp) -> None:
    """Hand every section of `kiosk.reload.LIVE_SECTIONS` to the part that uses it."""
    from kiosk.checkin import QrScanner
    from kiosk.digit_entry import DigitEntry
    from kiosk.logs import setup_logging

    cfg = app.config
    setup_logging(cfg.logging)  # logging: a changed level applies at once
    # posture, gait, core, safety, smoothing, zone (and camera.view): the analyzer
    app.vision.apply_config(cfg)
    # programs, progression, cues: read when the next session is planned and built
    app.members.config = cfg
    app.snapshots.expected_view = cfg.camera.view
    app.sound.set_volume(cfg.cues.volume)
    # staff and checkin: the controller, the check-in service, the card reader, QR
    c = app.controller
    c.staff_pin = cfg.staff.pin
    c.checkin_enabled = cfg.checkin.qr or cfg.checkin.card or cfg.checkin.buttons
    c.guest_allowed = cfg.checkin.guest
    c.buttons_checkin = cfg.checkin.buttons
    if c.member_id_digits != cfg.checkin.id_digits:
        c.member_id_digits = cfg.checkin.id_digits
        c.checkin.entry = DigitEntry(cfg.checkin.id_digits)
    if app.checkin_service is not None:
        app.checkin_service.cfg = cfg.checkin
    app.keyboard.card.key_timeout_s = cfg.checkin.card_key_timeout_s
    if app.qr_worker is not None:
        app.qr_worker.close()
        app.qr_worker = None
    if cfg.checkin.qr:
        app.qr = QrScanner.from_config(cfg.checkin)
        app.qr_worker = QrWorker(app.qr)
