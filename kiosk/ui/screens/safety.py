"""Safety alert: full-screen vermillion, form cues stopped, wait for the member and START."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_hints, draw_icon, fit_text

logger = logging.getLogger(__name__)

#: What each safety reason means, in a few words.
REASONS = {
    "member_lost": "We can't see you",
    "fall": "Possible fall",
    "drift_back": "Too close to the back",
}


#: The safety screen's two shades of vermillion: dark enough for white text (WCAG AA).
SHADES = (th.darker(th.FAULT, 0.8), th.darker(th.FAULT, 0.7))


class SafetyScreen(BaseScreen):
    """The whole screen turns vermillion with a stop octagon; the buzzer sounds."""

    title = "Safety stop"

    def _ready(self, view: ViewState) -> bool:
        return bool(view.person and view.in_zone and view.whole_body)

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [*([("start", "Resume")] if self._ready(view) else []), ("stop", "End session")]

    def draw(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        t.begin_frame()
        w = t.width
        # pulse between two vermillion shades so the alert is seen even from the side
        shade = SHADES[int(view.now * 2) % 2]
        surf.fill(shade)
        icon = t.px(0.22)
        draw_icon(surf, "octagon", (w // 2, t.px(0.16)), icon, th.darker(th.FAULT, 0.5))
        head = fit_text(t, "Hold the rails", int(w * 0.94), t.px(0.11), th.TEXT)
        blit_centered(surf, head, (w // 2, t.px(0.38)), t)
        if self._ready(view):
            # the member is back: no "we can't see you" beside "back in place"
            lines = ["You're back in place", "Press START to go on"]
        else:
            lines = [
                REASONS.get(view.safety_reason, "Safety stop"),
                "Step to the middle of the belt",
            ]
        cy = t.px(0.53)
        for i, line in enumerate(lines):
            size = t.px(0.075) if i == 0 else t.min_text
            img = fit_text(t, line, int(w * 0.92), size, th.TEXT)
            blit_centered(surf, img, (w // 2, cy), t)
            cy += t.px(0.12)
        x, y, bw, bh = t.layout.hints()
        pygame.draw.rect(surf, th.darker(th.FAULT, 0.45), (x, y, bw, bh))
        draw_hints(surf, t, self.hints(view), (x, y, bw, bh))
