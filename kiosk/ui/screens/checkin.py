"""Check-in screens: card, QR code, a number with the buttons, or guest; and the rejection."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import blit_centered, draw_icon, fit_text

logger = logging.getLogger(__name__)


class CheckinScreen(BaseScreen):
    """Who is training? Every enabled method at once; select alone = guest."""

    title = "Check in"

    def _editing(self, view: ViewState) -> bool:
        c = view.controller
        return bool(c is not None and c.checkin.editing)

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        if self._editing(view):
            # SELECT on the last digit sends the number; START would send a half-typed one,
            # which is never a member number, so it is not offered
            return [("updown", "Digit"), ("select", "Next"), ("stop", "Cancel")]
        hints = []
        if "buttons" in view.checkin_methods:
            hints.append(("updown", "Number"))
        if "guest" in view.checkin_methods:
            hints.append(("select", "Guest"))
        hints.append(("stop", "Cancel"))
        return hints

    def strip_middle(self, view: ViewState) -> str:
        return ""

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = t.layout.body()
        ways = []
        if "card" in view.checkin_methods:
            ways.append(("Tap or scan your card", "circle"))
        if "qr" in view.checkin_methods:
            ways.append(("Show your QR code", "circle"))
        if "buttons" in view.checkin_methods:
            ways.append(("Type your number ▲ ▼", "circle"))
        if "guest" in view.checkin_methods:
            ways.append(("No card? SELECT: guest", "tick"))
        if self._editing(view):
            self._draw_digits(surf, view, (x, y, w, h))
            return
        size = t.min_text
        line_h = min(int(t.font(size).get_linesize() * 1.5), h // max(1, len(ways)))
        top = y + (h - line_h * len(ways)) // 2
        icon_x = t.px(0.08)
        tx = icon_x + size
        for i, (text, icon) in enumerate(ways):
            cy = top + i * line_h + line_h // 2
            draw_icon(
                surf, icon, (icon_x, cy), int(size * 1.1), th.GOOD if icon == "tick" else th.INFO
            )
            img = fit_text(t, text, w - tx - t.px(0.03), size, th.TEXT)
            t.blit(surf, img, midleft=(tx, cy))

    def _draw_digits(
        self, surf: pygame.Surface, view: ViewState, rect: tuple[int, int, int, int]
    ) -> None:
        t = self.theme
        _x, y, w, h = rect
        entry = view.controller.checkin.entry
        label = t.text("Your member number", t.min_text, th.MUTED)
        blit_centered(surf, label, (w // 2, y + int(h * 0.15)), t)
        draw_digit_boxes(
            self,
            surf,
            entry.length,
            entry.digits,
            entry.current,
            (w // 2, y + int(h * 0.55)),
            hidden=False,
        )


def draw_digit_boxes(
    screen: BaseScreen,
    surf: pygame.Surface,
    length: int,
    digits: list[int],
    current: int,
    center: tuple[int, int],
    hidden: bool,
) -> None:
    """Boxes for a number being entered; the active box shows ▲/▼ and the digit."""
    t = screen.theme
    box = t.px(0.16)
    gap = t.px(0.025)
    total = length * box + (length - 1) * gap
    while total > screen.theme.width * 0.9 and box > 20:
        box -= 2
        total = length * box + (length - 1) * gap
    x0 = center[0] - total // 2
    for i in range(length):
        r = pygame.Rect(x0 + i * (box + gap), center[1] - box // 2, box, box)
        active = i == len(digits)
        pygame.draw.rect(surf, th.PANEL, r, border_radius=box // 8)
        pygame.draw.rect(
            surf,
            th.INFO if active else th.PANEL_EDGE,
            r,
            4 if active else 2,
            border_radius=box // 8,
        )
        if i < len(digits):
            txt = "•" if hidden else str(digits[i])
            blit_centered(surf, t.text(txt, int(box * 0.7)), r.center, t)
        elif active:
            blit_centered(surf, t.text(str(current), int(box * 0.7), th.INFO), r.center, t)
            arrow = max(t.min_text, int(box * 0.3))
            blit_centered(surf, t.text("▲", arrow, th.MUTED), (r.centerx, r.y - arrow // 2 - 2), t)
            blit_centered(
                surf, t.text("▼", arrow, th.MUTED), (r.centerx, r.bottom + arrow // 2 + 2), t
            )


class CheckinRejectedScreen(BaseScreen):
    """The card or number was not accepted: say why, offer to try again or walk as a guest."""

    title = "Check in"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        hints = [("start", "Try again")]
        if "guest" in view.checkin_methods:
            hints.append(("select", "Guest"))
        return [*hints, ("stop", "Cancel")]

    def strip_middle(self, view: ViewState) -> str:
        return ""

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        _x, y, w, h = t.layout.body()
        icon = t.px(0.13)
        draw_icon(surf, "triangle", (w // 2, y + t.px(0.02) + icon // 2), icon, th.CAUTION)
        reason = view.controller.checkin.rejected_reason if view.controller else ""
        # the reason is the headline, whole: wrapped onto lines, never cut ("Please see st…")
        lines, size = t.fit_lines(
            reason or "Not recognised", int(w * 0.92), t.cap(0.075), t.min_text, max_lines=3
        )
        line_h = t.font(size).get_linesize()
        cy = y + t.px(0.04) + icon + line_h // 2
        for line in lines:
            blit_centered(surf, t.text(line, size, th.CAUTION), (w // 2, cy), t)
            cy += line_h
        offer = "Try again, or walk as a guest"
        if "guest" not in view.checkin_methods:
            offer = "Try again, or ask the staff"
        parts, osize = t.fit_lines(offer, int(w * 0.92), t.min_text, t.min_text)
        oy = max(cy + t.px(0.02), y + h - len(parts) * t.font(osize).get_linesize())
        if oy + len(parts) * t.font(osize).get_linesize() > y + h:
            return  # the hints below say the same: "Try again", "Guest"
        for part in parts:
            img = t.text(part, osize, th.MUTED)
            t.blit(surf, img, midtop=(w // 2, oy))
            oy += t.font(osize).get_linesize()
