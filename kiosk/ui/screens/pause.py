"""Pause screen: the clock is stopped; START resumes, STOP finishes."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, fmt_clock

logger = logging.getLogger(__name__)


class PauseScreen(LiveScreen):
    """Paused: dimmed mirror, where the session stands."""

    title = "Paused"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Resume"), ("stop", "End session")]

    def draw_mirror(self, surf: pygame.Surface, view: ViewState, dim: float | None = None) -> None:
        super().draw_mirror(surf, view, dim=0.35)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, _h = self.panel_rect()
        icon = t.px(0.14)
        cx = x + w // 2
        pygame.draw.circle(surf, th.INFO, (cx, y + icon // 2 + 4), icon // 2)
        bar_w, bar_h = icon // 6, icon // 2
        for dx in (-bar_w, bar_w):
            pygame.draw.rect(surf, th.INK, (cx + dx - bar_w // 2, y + 4 + icon // 4, bar_w, bar_h))
        cy = y + icon + t.px(0.06)
        blit_centered(surf, t.text("Paused", t.px(0.08)), (cx, cy), t)
        cy += t.px(0.1)
        size = t.min_text
        s = view.session
        lines: list[tuple[str, th.Colour]] = []
        if s is not None:
            lines.append((f"{fmt_clock(s.remaining_s)} left", th.TEXT))
            lines.append((s.instruction or s.block_name, th.MUTED))
        lines.append(("Hold the rails to step off", th.MUTED))
        for text, colour in lines:
            parts, psize = t.fit_lines(text, w, size, size)
            for part in parts:
                blit_centered(surf, t.text(part, psize, colour), (cx, cy), t)
                cy += t.font(psize).get_linesize()
            cy += t.px(0.01)
