"""Idle / attract screen: what this station is, a rotating training tip, press START."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon

logger = logging.getLogger(__name__)

#: Training advice (backward-walking.md, "Sessions"; Hooper 2004 for the effort figure).
TIPS: tuple[tuple[str, str], ...] = (
    ("Start slowly", "1–2 mph, hands on the rails"),
    ("Engage your core", "Brace gently, as if about to cough"),
    ("Ball of the foot first", "Reach back with the toes, roll to the heel"),
    ("Build up gradually", "Begin with 2–3 minutes, grow to 10–15"),
    ("Stand tall", "Chest up, eyes level, shoulders over hips"),
    ("It works harder", "About 17–20% more effort than walking forward"),
)

#: Seconds each tip stays before the next one.
TIP_SECONDS = 8.0


def tip_for(now: float) -> tuple[str, str]:
    """The tip shown at time ``now``."""
    return TIPS[int(now / TIP_SECONDS) % len(TIPS)]


class IdleScreen(BaseScreen):
    """Attract loop shown while nobody is training."""

    title = "Backward walking coach"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Begin")]

    def strip_middle(self, view: ViewState) -> str:
        return ""

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        _x, y, w, h = t.layout.body()
        head = t.text("Walk backwards. Stand tall.", t.px(0.085))
        if head.get_width() > w * 0.94:
            head = t.text("Walk backwards.", t.px(0.085))
        blit_centered(surf, head, (w // 2, y + int(h * 0.16)))
        warning = view.staff.cannot_coach
        if warning:
            # the station cannot coach (e.g. no pose model): say so instead of inviting
            sub = t.text(warning[:1].upper() + warning[1:], t.px(0.04), th.CAUTION)
            while sub.get_width() > w * 0.94 and len(warning) > 12:
                warning = warning[:-2]
                sub = t.text(warning[:1].upper() + warning[1:] + "…", t.px(0.04), th.CAUTION)
        else:
            sub = t.text("Press START to begin your session", t.px(0.05), th.MUTED)
        blit_centered(surf, sub, (w // 2, y + int(h * 0.32)))
        # the tip card
        title, line = tip_for(view.now)
        card = pygame.Rect(0, 0, int(w * 0.86), int(h * 0.48))
        card.midtop = (w // 2, y + int(h * 0.44))
        pygame.draw.rect(surf, th.PANEL, card, border_radius=t.px(0.03))
        pygame.draw.rect(surf, th.INFO, card, 3, border_radius=t.px(0.03))
        icon = t.px(0.11)
        draw_icon(surf, "circle", (card.x + icon, card.centery), icon, th.INFO)
        tx = card.x + icon * 2
        max_w = card.right - tx - t.px(0.03)
        size = t.px(0.065)
        while t.font(size).size(title)[0] > max_w and size > t.px(0.045):
            size -= 1
        ti = t.text(title, size, th.INFO)
        lsize = t.px(0.05)
        while t.font(lsize).size(line)[0] > max_w and lsize > t.px(0.035):
            lsize -= 1
        li = t.text(line, lsize)
        total = ti.get_height() + li.get_height()
        ty = card.centery - total // 2
        surf.blit(ti, (tx, ty))
        surf.blit(li, (tx, ty + ti.get_height()))
        n = len(TIPS)
        idx = int(view.now / TIP_SECONDS) % n
        r = max(3, t.px(0.008))
        for i in range(n):
            cx = card.centerx + (i - (n - 1) / 2) * r * 4
            pygame.draw.circle(
                surf, th.INFO if i == idx else th.DIM, (int(cx), card.bottom - r * 3), r
            )
