"""Baseline screen: the member's own upright posture, measured standing still or walking."""

from __future__ import annotations

import logging
import math

import pygame

from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.gauge import thick_arc
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner

logger = logging.getLogger(__name__)


class BaselineScreen(LiveScreen):
    """A progress ring while the baseline is captured; says whether standing or walking."""

    title = "Stand tall"
    has_banner = True

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Skip"), ("stop", "Cancel")] if view.person else [("stop", "Cancel")]

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = self.panel_rect()
        remaining = max(0.0, view.baseline_seconds * (1.0 - view.baseline_progress))
        count = max(1, math.ceil(remaining)) if view.baseline_progress < 1 else 0
        label_h = t.font(t.min_text).get_linesize()
        radius = min(w * 0.8, h - label_h - t.px(0.02)) / 2
        cx, cy = x + w / 2, y + radius + t.px(0.01)
        band = max(6.0, radius * 0.18)
        thick_arc(surf, th.PANEL_EDGE, (cx, cy), radius, band, -270, 90)
        frac = max(0.0, min(1.0, view.baseline_progress))
        if frac > 0:
            thick_arc(surf, th.GOOD, (cx, cy), radius, band, 90 - 360 * frac, 90)
        if view.baseline_walking and count:
            # Walking: the ring fills with steady steps, not seconds (a countdown would freeze).
            centre, word = f"{100 * frac:.0f}%", "measuring"
        else:
            centre, word = (str(count) if count else "✓"), ("seconds" if count else "done")
        num = max(t.number_size, int(radius * (0.8 if "%" in centre else 1.0)))
        t.blit(surf, t.text(centre, num), center=(int(cx), int(cy)), kind="number")
        label = t.text(word, t.min_text, th.MUTED)
        t.blit(surf, label, midtop=(int(cx), int(cy + radius + t.px(0.005))))

    def banner_cue(self, view: ViewState) -> CueView | None:
        if not view.person:
            return CueView("Step back into view", "caution")
        if view.baseline_walking:
            return CueView("Keep walking tall", "info")
        return CueView("Stand tall — or walk slowly", "info")

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        draw_banner(surf, self.theme, self.banner_cue(view))
