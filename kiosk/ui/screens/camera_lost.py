"""Camera lost: shown while the capture thread reconnects; the session waits."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon, thick_arc

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
        draw_icon(surf, "triangle", (w // 2, y + int(h * 0.18)), icon, th.CAUTION)
        blit_centered(
            surf, t.text("Reconnecting the camera…", t.px(0.075)), (w // 2, y + int(h * 0.42))
        )
        active = view.controller is not None and view.controller.is_session_active
        line = (
            "Your session is paused — keep holding the rails" if active else "Please wait a moment"
        )
        s = t.px(0.05)
        while t.font(s).size(line)[0] > w * 0.92 and s > t.px(0.035):
            s -= 1
        blit_centered(surf, t.text(line, s, th.MUTED), (w // 2, y + int(h * 0.58)))
        r = t.px(0.06)
        a = (view.now * 240) % 360
        thick_arc(surf, th.PANEL_EDGE, (w / 2, y + h * 0.8), r, r * 0.3, 0, 360)
        thick_arc(surf, th.INFO, (w / 2, y + h * 0.8), r, r * 0.3, a, a + 90)
        if view.camera_message:
            msg = view.camera_message[:80]
            blit_centered(surf, t.text(msg, t.px(0.035), th.DIM), (w // 2, y + h - t.px(0.03)))
