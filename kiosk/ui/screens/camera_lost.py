"""Camera lost: shown while the capture thread reconnects; the session waits."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.gauge import thick_arc
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.screens.idle import CAMERA_ASK_STAFF_S
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon

logger = logging.getLogger(__name__)


class CameraLostScreen(BaseScreen):
    """A spinner and plain words; it goes back by itself when frames return."""

    title = "Camera lost"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        active = view.controller is not None and view.controller.is_session_active
        return [("stop", "End session" if active else "Cancel")]

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        _x, y, w, h = t.layout.body()
        icon = t.px(0.14)
        draw_icon(surf, "triangle", (w // 2, y + int(h * 0.16)), icon, th.CAUTION)
        waited = view.camera_down_s >= CAMERA_ASK_STAFF_S
        words = "Ask staff: the camera is not connected" if waited else "The camera is reconnecting"
        lines, size = t.fit_lines(words, int(w * 0.92), t.cap(0.075), t.min_text)
        line_h = t.font(size).get_linesize()
        cy = y + int(h * 0.4) - (len(lines) - 1) * line_h // 2
        for line in lines:
            blit_centered(
                surf, t.text(line, size, th.CAUTION if waited else th.TEXT), (w // 2, cy), t
            )
            cy += line_h
        active = view.controller is not None and view.controller.is_session_active
        # members get a plain sentence; the camera's error and paths are on the staff screen
        line = "Your session is paused. Hold the rails." if active else "Please wait a moment."
        if waited and not active:
            line = ""  # no "please wait" beside "ask staff"
        parts, psize = t.fit_lines(line, int(w * 0.92), t.min_text, t.min_text) if line else ([], 0)
        for part in parts:
            blit_centered(surf, t.text(part, psize, th.MUTED), (w // 2, cy + t.px(0.02)), t)
            cy += t.font(psize).get_linesize()
        r = t.px(0.06)
        a = (view.now * 240) % 360
        thick_arc(surf, th.PANEL_EDGE, (w / 2, y + h * 0.82), r, r * 0.3, 0, 360)
        thick_arc(surf, th.INFO, (w / 2, y + h * 0.82), r, r * 0.3, a, a + 90)
