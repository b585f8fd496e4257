"""Apply a reloaded staff config to the running kiosk: live sections now, the rest later."""

from __future__ import annotations

import logging

from kiosk.app.logs import setup_logging
from kiosk.app.station import Station
from kiosk.config.reload import live_sections_changed
from kiosk.config.schema import BackstepConfig
from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.machine import KioskController

logger = logging.getLogger(__name__)


class LiveReload:
    """Takes a pending reload from the station's reloader and installs it on the station.

    The station hands the new config to every part that subscribed (`Station.install_config`);
    the sections `kiosk.config.reload.LIVE_SECTIONS` lists apply at once, the others wait for a
    restart and are listed in `restart_needed` (the staff screen shows them).
    """

    def __init__(self, station: Station, controller: KioskController) -> None:
        self.station = station
        self.controller = controller
        self.restart_needed: list[str] = []
        station.config_changed.subscribe(self._follow_logging)

    @staticmethod
    def _follow_logging(cfg: BackstepConfig) -> None:
        setup_logging(cfg.logging)  # a changed level applies at once

    def poll(self) -> None:
        """Apply a pending SIGHUP or staff-screen reload; an invalid file keeps the old config."""
        station = self.station
        reloader = station.reloader
        if reloader is None:
            return
        outcome = reloader.poll()
        if outcome is None:
            return
        if not outcome.ok:
            for line in outcome.errors:
                station.report(f"config reload: {line}")
            self.controller.staff.message = "Config invalid — kept the old one"
            return
        applied = live_sections_changed(outcome.changed)
        station.install_config(outcome.config)
        self.restart_needed = list(outcome.restart_needed)
        logger.info(
            "config reloaded: applied %s", ", ".join(applied) if applied else "(nothing changed)"
        )
        message = "Config reloaded"
        if self.restart_needed:
            keys = ", ".join(self.restart_needed)
            logger.warning("config reload: restart needed: %s", keys)
            message = f"restart needed: {keys}"
        if outcome.warnings:  # the PIN or kiosk mode changed: staff must notice (#23)
            message = "; ".join(outcome.warnings)
        self.controller.staff.message = message[:60]


def apply_checkin_rules(controller: KioskController, cfg: BackstepConfig) -> None:
    """The staff and check-in sections the controller follows (at start and on each reload)."""
    controller.staff_pin = cfg.staff.pin
    controller.checkin_enabled = cfg.checkin.qr or cfg.checkin.card or cfg.checkin.buttons
    controller.guest_allowed = cfg.checkin.guest
    controller.buttons_checkin = cfg.checkin.buttons
    if controller.member_id_digits != cfg.checkin.id_digits:
        controller.member_id_digits = cfg.checkin.id_digits
        controller.checkin.entry = DigitEntry(cfg.checkin.id_digits)
