"""The app's part that draws each frame: the view, the screen (never raising), LED, screenshots."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from hw.station import StationHardware
from kiosk.app.badges import draw_badges
from kiosk.app.parts import StationParts, show_screen_on_led
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import KioskController, Screen
from kiosk.flow.vision_link import StatusFacts, VisionLike
from kiosk.session.running import SessionRun
from kiosk.session.views import SummaryView
from kiosk.ui.screens.base import BaseScreen, draw_error_screen
from kiosk.ui.theme import Theme
from kiosk.ui.view_builder import ViewMemory, build_view, posture_limits, staff_view
from kiosk.ui.view_state import FleetLine, ViewState
from vision.types import FrameResult

if TYPE_CHECKING:
    from kiosk.fleet.sync import FleetStatus

logger = logging.getLogger(__name__)


def fleet_line(status: FleetStatus, wall_now: float) -> FleetLine:
    """The staff screen's fleet facts from the sync thread's status."""
    ago = None if status.last_sync is None else max(0.0, wall_now - status.last_sync)
    return FleetLine(status.reachable, ago, status.waiting.total, status.down_since)


class FrameDrawer:
    """Builds and draws one frame's view; `KioskApp` inherits it."""

    config: BackstepConfig
    config_path: Path | None
    controller: KioskController
    vision: VisionLike
    session: SessionRun | None
    summary: SummaryView | None
    hardware: StationHardware | None
    screens: dict[Screen, BaseScreen]
    screen_surf: pygame.Surface
    theme: Theme
    shots: ScreenshotSaver | None
    errors: list[str]
    gpio_warning: str
    restart_needed: list[str]
    parts: StationParts

    def _error(self, message: str) -> None:
        """Log and show on the staff screen (the app defines it)."""
        raise NotImplementedError

    def _errors_copy(self) -> list[str]:
        raise NotImplementedError

    @property
    def ui_fps(self) -> float:
        """Frames drawn per second (the app measures it)."""
        raise NotImplementedError

    @property
    def pose_fps(self) -> float:
        """New pose results per second (the app measures it)."""
        raise NotImplementedError

    def warnings(self) -> list[str]:
        """Standing staff warnings (the app's safeguards)."""
        raise NotImplementedError

    def badges(self) -> list[tuple[str, tuple[int, int, int]]]:
        """Marks every screen carries (the app's safeguards)."""
        raise NotImplementedError

    _view_memory: ViewMemory | None = None

    def _view(self, now: float, facts: StatusFacts, result: FrameResult | None) -> ViewState:
        if self._view_memory is None:  # issue 22: the pose drawn on its own frame
            self._view_memory = ViewMemory()
        staff = staff_view(
            facts,
            ui_fps=self.ui_fps,
            pose_fps=self.pose_fps,
            config_path=self.config_path,
            errors=self._errors_copy(),
            gpio_warning=self.gpio_warning,
            restart_needed=self.restart_needed,
            thresholds=posture_limits(self.config),
            warnings=self.warnings(),
        )
        staff.fleet = self._fleet_line()
        return build_view(
            now=now,
            config=self.config,
            controller=self.controller,
            facts=facts,
            frame=self.vision.latest_frame(),
            result=result,
            session=self.session,
            summary=self.summary,
            staff=staff,
            memory=self._view_memory,
            members=getattr(self, "members", None),
        )

    def _fleet_line(self) -> FleetLine | None:
        """The fleet's status from the sync thread's in-memory copy (no I/O on the UI loop)."""
        fleet = self.parts.fleet
        if fleet is None:
            return None
        try:
            return fleet_line(fleet.status(), time.time())
        except Exception:
            logger.debug("fleet status failed", exc_info=True)
            return None

    def _draw(self, view: ViewState) -> None:
        try:
            self.screens[view.screen].draw(self.screen_surf, view)
        except Exception as exc:
            # a broken screen must never take the kiosk down in front of a member
            logger.exception("drawing %s failed", view.screen.value)
            msg = f"{view.screen.value}: {type(exc).__name__}: {exc}"
            if not self.errors or self.errors[-1] != msg:
                self._error(msg)
            draw_error_screen(self.screen_surf, self.theme, msg)
        try:
            draw_badges(self.screen_surf, self.theme, self.badges())
        except Exception:
            logger.exception("drawing the badges failed")

    def _screenshot(self, screen: Screen, t_rel: float) -> None:
        if self.shots is None:
            return
        try:
            self.shots.maybe_save(self.screen_surf, screen.value, t_rel)
        except Exception as exc:
            self._error(f"screenshot: {exc}")

    def _indicators(self) -> None:
        if self.hardware is not None:
            show_screen_on_led(self.hardware, self.controller.screen)
