"""Safety alert: full-screen vermillion; what happened, which way to step, then START."""

from __future__ import annotations

import logging

import pygame

from kiosk.flow.safety_resume import SafetyResume, safety_words
from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_hints, draw_icon, fit_text

logger = logging.getLogger(__name__)

#: What each safety reason means, in a few words (the screen uses `safety_words`).
REASONS = {r: safety_words(r, None).happened for r in ("member_lost", "fall", "drift_back")}


#: The safety screen's two shades of vermillion: dark enough for white text (WCAG AA).
SHADES = (th.darker(th.FAULT, 0.8), th.darker(th.FAULT, 0.7))


class SafetyScreen(BaseScreen):
    """The whole screen turns vermillion with a stop octagon; the buzzer sounds."""

    title = "Safety stop"

    def _resume(self, view: ViewState) -> SafetyResume:
        resume = getattr(view.controller, "safety", None)
        if isinstance(resume, SafetyResume) and resume.reason:
            return resume
        fallback = SafetyResume()  # a view without a controller (tests): the reason only
        fallback.start(view.safety_reason, None, view.now)
        return fallback

    def _ready(self, view: ViewState) -> bool:
        # "back in place" only once the member is back inside the limits, held (hysteresis)
        return self._resume(view).is_back_in_place

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
        resume = self._resume(view)
        words = resume.words
        if resume.is_back_in_place:
            # the member is back inside the limits: no "we can't see you" beside it
            lines = ["You're back in place", "Press START to go on"]
        else:
            # what happened, then what to do with belt and body, in the member's frame
            lines = [words.happened, *words.todo]
        # every line whole: a long one wraps (shrinking stops at the member's text floor)
        set_lines: list[tuple[str, int]] = []
        for i, line in enumerate(lines):
            size = t.px(0.075) if i == 0 else t.min_text
            parts, fitted = t.fit_lines(line, int(w * 0.92), size, min(size, t.min_text))
            set_lines += [(part, fitted) for part in parts]
        images = [t.text(part, fitted, th.TEXT) for part, fitted in set_lines]
        # a line apart each, and the whole block above the button hints
        steps = [max(t.px(0.1), img.get_height()) for img in images]
        room_bottom = t.layout.hints()[1] - images[-1].get_height() // 2 if images else 0
        cy = min(t.px(0.52), room_bottom - sum(steps[:-1]))
        for img, step in zip(images, steps, strict=True):
            blit_centered(surf, img, (w // 2, cy), t)
            cy += step
        x, y, bw, bh = t.layout.hints()
        pygame.draw.rect(surf, th.darker(th.FAULT, 0.45), (x, y, bw, bh))
        draw_hints(surf, t, self.hints(view), (x, y, bw, bh))
