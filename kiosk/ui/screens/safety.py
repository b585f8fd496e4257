"""Safety alert: full-screen vermillion, form cues stopped, wait for the member and START."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_hints, draw_icon

logger = logging.getLogger(__name__)

#: What each safety reason means, in a few words.
REASONS = {
    "member_lost": "We can't see you",
    "fall": "Possible fall",
    "drift_back": "Too close to the back",
}


class SafetyScreen(BaseScreen):
    """The whole screen turns vermillion with a stop octagon; the buzzer sounds."""

    title = "Safety stop"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        ready = view.person and view.in_zone and view.whole_body
        return [*([("start", "Resume")] if ready else []), ("stop", "End session")]

    def draw(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        w, h = t.width, t.height
        # pulse between two vermillion shades so the alert is seen even from the side
        phase = int(view.now * 2) % 2
        surf.fill(th.FAULT if phase == 0 else th.darker(th.FAULT, 0.85))
        icon = t.px(0.26)
        draw_icon(surf, "octagon", (w // 2, t.px(0.2)), icon, th.darker(th.FAULT, 0.6))
        head = t.text("STOP — hold the rails", t.px(0.11))
        if head.get_width() > w * 0.95:
            head = t.text("STOP — hold the rails", t.px(0.085))
        blit_centered(surf, head, (w // 2, t.px(0.43)))
        reason = REASONS.get(view.safety_reason, "Safety stop")
        blit_centered(surf, t.text(reason, t.px(0.075)), (w // 2, t.px(0.56)))
        ready = view.person and view.in_zone and view.whole_body
        step = "Back in place — press START to go on" if ready else "Step to the middle of the belt"
        s = t.px(0.055)
        while t.font(s).size(step)[0] > w * 0.92 and s > t.px(0.035):
            s -= 1
        blit_centered(surf, t.text(step, s), (w // 2, t.px(0.68)))
        band = (0, h - t.layout.banner_h, w, t.layout.banner_h)
        pygame.draw.rect(surf, th.darker(th.FAULT, 0.55), band)
        draw_hints(surf, t, self.hints(view), band, t.px(0.05))
