"""Camera lost: shown while the capture thread reconnects; the session waits."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon, fit_text, thick_arc

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
        head = fit_text(t, "The camera is reconnecting", int(w * 0.92), t.px(0.075), th.TEXT)
        blit_centered(surf, head, (w // 2, y + int(h * 0.4)), t)
        active = view.controller is not None and view.controller.is_session_active
        # members get a plain sentence; the camera's error and paths are on the staff screen
        line = "Your session is paused. Hold the rails." if active else "Please wait a moment."
        img = fit_text(t, line, int(w * 0.92), t.min_text, th.MUTED)
        blit_centered(surf, img, (w // 2, y + int(h * 0.58)), t)
        r = t.px(0.06)
        a = (view.now * 240) % 360
        thick_arc(surf, th.PANEL_EDGE, (w / 2, y + h * 0.82), r, r * 0.3, 0, 360)
        thick_arc(surf, th.INFO, (w / 2, y + h * 0.82), r, r * 0.3, a, a + 90)
