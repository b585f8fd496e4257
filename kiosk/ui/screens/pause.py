"""Pause screen: the clock is stopped; START resumes, STOP finishes."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.screens.session import draw_big_clock
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner

logger = logging.getLogger(__name__)


#: Said on the pause screen: stopping the clock does not stop the treadmill.
BELT_WARNING = "Hold the rails — the belt is still moving"


class PauseScreen(LiveScreen):
    """Paused: dimmed mirror, the session's time left, and the belt still running."""

    title = "Paused"
    has_banner = True

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Resume"), ("stop", "End session")]

    def title_for(self, view: ViewState) -> str:
        return "Paused"

    def draw_mirror(self, surf: pygame.Surface, view: ViewState, dim: float | None = None) -> None:
        super().draw_mirror(surf, view, dim=0.35)

    def banner_cue(self, view: ViewState) -> CueView | None:
        return CueView(BELT_WARNING, "caution", "triangle")

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        draw_banner(surf, self.theme, self.banner_cue(view))

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = self.panel_rect()
        s = view.session
        if s is None:
            return
        # the SESSION's time left (the block's was shown here, and read as the session's)
        left = s.total_remaining_s
        clock_h = t.font(t.number_size).get_height()
        draw_big_clock(surf, t, (x, y, w, clock_h), left, "")
        cy = y + clock_h
        label = t.text("left in session", t.min_text, th.MUTED)
        t.blit(surf, label, midtop=(x + w // 2, cy))
        cy += label.get_height() + t.px(0.02)
        # the block by its short name, on one line ("Backward 2/3"), never wrapped mid-phrase
        named = f"{s.block_name} {s.block_index + 1}/{s.block_count}"
        choice = next((c for c in (named, s.block_name) if t.font(t.min_text).size(c)[0] <= w), "")
        if choice and cy + t.font(t.min_text).get_height() <= y + h:
            t.blit(surf, t.text(choice, t.min_text), midtop=(x + w // 2, cy))
