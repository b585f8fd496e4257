"""Idle / attract screen: what this station is, a rotating training tip, press START."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon, fit_text

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

#: Seconds without a camera after which members are told to ask staff (a reconnect that
#: has not worked by then is not "a moment": the cable or the device needs a person).
CAMERA_ASK_STAFF_S = 30.0


def camera_line(view: ViewState) -> str | None:
    """What the idle screen says about a camera that is away, or None while it works."""
    if view.camera_state == "ok":
        return None
    if view.camera_down_s >= CAMERA_ASK_STAFF_S:
        return "Ask staff: the camera is not connected"
    if view.camera_state == "starting":
        return "The camera is starting — please wait"
    return "The camera is reconnecting — please wait"


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
        big = t.cap(0.075)
        head = fit_text(t, "Walk backwards. Stand tall.", int(w * 0.94), big, th.TEXT)
        if t.font(big).size("Walk backwards. Stand tall.")[0] > w * 0.94:
            head = t.text("Walk backwards.", big)
        blit_centered(surf, head, (w // 2, y + int(h * 0.13)), t)
        message = camera_line(view) or (
            "Coaching is off — please ask staff" if view.staff.cannot_coach else None
        )
        if message:
            # the station cannot coach: one sentence, whole, in place of the invitation
            # and the tips (nobody should press START at a station that cannot see them)
            icon = t.px(0.14)
            draw_icon(surf, "triangle", (w // 2, y + int(h * 0.36)), icon, th.CAUTION)
            parts, psize = t.fit_lines(message, int(w * 0.92), t.cap(0.07), t.min_text)
            cy = y + int(h * 0.36) + icon // 2 + t.px(0.02)
            for part in parts:
                t.blit(surf, t.text(part, psize, th.CAUTION), midtop=(w // 2, cy))
                cy += t.font(psize).get_linesize()
            return
        sub = fit_text(t, "Press START to begin", int(w * 0.94), t.min_text, th.MUTED)
        blit_centered(surf, sub, (w // 2, y + int(h * 0.3)), t)
        # the tip card
        title, line = tip_for(view.now)
        card = pygame.Rect(0, 0, int(w * 0.9), int(h * 0.56))
        card.midtop = (w // 2, y + int(h * 0.41))
        pygame.draw.rect(surf, th.PANEL, card, border_radius=t.px(0.03))
        pygame.draw.rect(surf, th.INFO, card, 3, border_radius=t.px(0.03))
        icon = t.px(0.1)
        draw_icon(surf, "circle", (card.x + icon, card.centery), icon, th.INFO)
        tx = card.x + icon * 2
        max_w = card.right - tx - t.px(0.03)
        ti = fit_text(t, title, max_w, t.min_text, th.INFO)
        lines, lsize = t.fit_lines(line, max_w, t.min_text, t.min_text)
        line_h = t.font(lsize).get_linesize()
        total = ti.get_height() + line_h * len(lines)
        ty = card.centery - total // 2 - t.px(0.01)
        t.blit(surf, ti, (tx, ty), container=(card.x, card.y, card.w, card.h))
        ty += ti.get_height()
        for part in lines:
            t.blit(surf, t.text(part, lsize), (tx, ty), container=(card.x, card.y, card.w, card.h))
            ty += line_h
        n = len(TIPS)
        idx = int(view.now / TIP_SECONDS) % n
        r = max(3, t.px(0.008))
        for i in range(n):
            cx = card.centerx + (i - (n - 1) / 2) * r * 4
            pygame.draw.circle(
                surf, th.INFO if i == idx else th.DIM, (int(cx), card.bottom - r * 3), r
            )
