"""Drawing each frame: the view, the screen (never raising), the badges, LED, screenshots."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pygame

from kiosk.app.badges import draw_badges
from kiosk.app.effects import EffectRunner
from kiosk.app.live_reload import LiveReload
from kiosk.app.parts import show_screen_on_led
from kiosk.app.run_summary import LoopRates
from kiosk.app.safeguards import Safeguards
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.app.station import Station
from kiosk.flow.machine import KioskController, Screen
from kiosk.ui.screens.base import BaseScreen, draw_error_screen
from kiosk.ui.theme import Theme
from kiosk.ui.view_builder import ViewMemory, build_view, posture_limits, staff_view
from kiosk.ui.view_state import FleetLine, ViewState
from kiosk.vision_link.link import StatusFacts
from vision.types import FrameResult

if TYPE_CHECKING:
    from kiosk.fleet.sync import FleetStatus

logger = logging.getLogger(__name__)


def fleet_line(status: FleetStatus, wall_now: float) -> FleetLine:
    """The staff screen's fleet facts from the sync thread's status."""
    ago = None if status.last_sync is None else max(0.0, wall_now - status.last_sync)
    return FleetLine(status.reachable, ago, status.waiting.total, status.down_since)


class FrameDrawer:
    """Builds and draws one frame's view onto the display surface."""

    def __init__(
        self,
        station: Station,
        controller: KioskController,
        effects: EffectRunner,
        safeguards: Safeguards,
        reload: LiveReload,
        rates: LoopRates,
        surface: pygame.Surface,
        theme: Theme,
        screens: dict[Screen, BaseScreen],
        shots: ScreenshotSaver | None,
    ) -> None:
        self.station = station
        self.controller = controller
        self.effects = effects  # the member's session and summary
        self.safeguards = safeguards  # warnings and badges
        self.reload = reload  # the keys a reload could not apply
        self.rates = rates
        self.surface = surface
        self.theme = theme
        self.screens = screens
        self.shots = shots
        #: the last frames, so each pose is drawn on the frame it was measured on
        self._view_memory = ViewMemory()

    def view(self, now: float, facts: StatusFacts, result: FrameResult | None) -> ViewState:
        """Everything the screens draw this frame."""
        station = self.station
        staff = staff_view(
            facts,
            ui_fps=self.rates.ui_fps,
            pose_fps=self.rates.pose_fps,
            config_path=station.config_path,
            errors=station.errors.copy(),
            gpio_warning=station.parts.gpio_warning,
            restart_needed=self.reload.restart_needed,
            thresholds=posture_limits(station.config),
            warnings=self.safeguards.warnings(),
        )
        staff.fleet = self._fleet_line()
        return build_view(
            now=now,
            config=station.config,
            controller=self.controller,
            facts=facts,
            frame=station.vision.latest_frame(),
            result=result,
            session=self.effects.session,
            summary=self.effects.summary,
            staff=staff,
            memory=self._view_memory,
            members=station.members,
        )

    def _fleet_line(self) -> FleetLine | None:
        """The fleet's status from the sync thread's in-memory copy (no I/O on the UI loop)."""
        fleet = self.station.fleet
        if fleet is None:
            return None
        try:
            return fleet_line(fleet.status(), time.time())
        except Exception:
            logger.debug("fleet status failed", exc_info=True)
            return None

    def draw(self, view: ViewState) -> None:
        """Draw ``view``; a broken screen shows an error screen instead of raising."""
        try:
            self.screens[view.screen].draw(self.surface, view)
        except Exception as exc:
            # a broken screen must never take the kiosk down in front of a member
            logger.exception("drawing %s failed", view.screen.value)
            msg = f"{view.screen.value}: {type(exc).__name__}: {exc}"
            errors = self.station.errors.copy()
            if not errors or errors[-1] != msg:
                self.station.report(msg)
            draw_error_screen(self.surface, self.theme, msg)
        try:
            # not on the staff screen: it lists NOT SAVING among its warnings, and a badge
            # would cover its first line
            if view.screen is not Screen.STAFF:
                draw_badges(self.surface, self.theme, self.safeguards.badges())
        except Exception:
            logger.exception("drawing the badges failed")

    def screenshot(self, screen: Screen, t_rel: float) -> None:
        """Save a screenshot when one is due (``--screenshots``)."""
        if self.shots is None:
            return
        try:
            self.shots.maybe_save(self.surface, screen.value, t_rel)
        except Exception as exc:
            self.station.report(f"screenshot: {exc}")

    def indicators(self) -> None:
        """The status LED follows the screen."""
        hardware = self.station.hardware
        if hardware is not None:
            show_screen_on_led(hardware, self.controller.screen)
