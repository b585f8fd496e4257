"""Pause screen: the clock is stopped; START resumes, STOP finishes."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.screens.session import block_label, upright_note
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon, fmt_clock

logger = logging.getLogger(__name__)


class PauseScreen(LiveScreen):
    """Paused: dimmed mirror, where the session stands."""

    title = "Paused"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Resume"), ("stop", "Finish")]

    def draw_mirror(self, surf: pygame.Surface, view: ViewState, dim: float | None = None) -> None:
        super().draw_mirror(surf, view, dim=0.35)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = self.panel_rect()
        icon = t.px(0.16)
        cx = x + w // 2
        pygame.draw.circle(surf, th.INFO, (cx, y + icon // 2 + 4), icon // 2)
        bar_w, bar_h = icon // 6, icon // 2
        for dx in (-bar_w, bar_w):
            pygame.draw.rect(surf, th.TEXT, (cx + dx - bar_w // 2, y + 4 + icon // 4, bar_w, bar_h))
        cy = y + icon + t.px(0.04)
        blit_centered(surf, t.text("Paused", t.px(0.08)), (cx, cy))
        cy += t.px(0.08)
        s = view.session
        if s is not None:
            for line in (block_label(s), f"{fmt_clock(s.remaining_s)} left in this block"):
                blit_centered(surf, t.text(line, t.px(0.045), th.MUTED), (cx, cy))
                cy += t.px(0.06)
            note, colour = upright_note(s)
            if note:
                blit_centered(surf, t.text(note, t.px(0.045), colour), (cx, cy))
        draw_icon(surf, "circle", (x + t.px(0.03), y + h - t.px(0.03)), t.px(0.04), th.INFO)
        tip = t.text("Hold the rails to step off", t.px(0.035), th.MUTED)
        surf.blit(tip, (x + t.px(0.06), y + h - t.px(0.03) - tip.get_height() // 2))
