"""Position screen: the live mirror until the member stands in the zone, whole body visible."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.instruments import draw_check, draw_progress_bar
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.welcome import WELCOME_S, WelcomeView

logger = logging.getLogger(__name__)


def placement_hint(view: ViewState) -> str:
    """One instruction for what to fix first (camera-placement guidance included)."""
    if view.frame is None:
        return "Waiting for the camera"
    if not view.person:
        return "Step onto the treadmill"
    if not view.in_zone:
        return "Move to the middle of the belt"
    if not view.whole_body:
        return "Head to feet must show: step back"
    # no camera words for the member (where the camera stands is the staff's business, on
    # the staff screen); no "Hold still" to someone already walking on a moving belt
    return "Keep walking — starting…" if view.walking else "Ready — starting…"


def wanted_view(view: ViewState) -> str:
    """The view the station is set up for ("auto" stations coach best from the side)."""
    return "front" if view.expected_view == "front" else "side"


def view_hint(view: ViewState) -> str:
    """Camera-placement advice when the camera sees the member from the wrong side."""
    seen = view.detected_view
    if seen is None:
        return "Checking the camera angle…"
    if wanted_view(view) == "side":
        if view.expected_view == "auto":
            return "Camera sees your front: side-on measures lean best"
        return "Camera sees your front: move it beside the belt"
    return "Camera sees your side: move it in front of the treadmill"


class PositionScreen(LiveScreen):
    """Live mirror with three checks; advances by itself after ~2 s, or with START."""

    title = "Get in position"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        hints = [("start", "Begin")] if view.person else []
        return [*hints, ("stop", "Cancel")]

    def welcoming(self, view: ViewState) -> bool:
        """True for the first seconds after check-in, while the welcome fills the screen."""
        return view.welcome is not None and view.screen_seconds < WELCOME_S

    def title_for(self, view: ViewState) -> str:
        return "Welcome" if self.welcoming(view) else self.title

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        if not self.welcoming(view) or view.welcome is None:
            super().draw_body(surf, view)
            return
        draw_welcome(surf, self.theme, view.welcome)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = self.panel_rect()
        size = t.min_text
        checks = [
            (view.whole_body, "Head to feet"),
            (view.in_zone, "On the belt"),
        ]
        cy = y + t.px(0.01)
        for ok, text in checks:
            draw_check(surf, t, (x, cy), ok, text, int(size * 1.25))
            cy += int(size * 1.5)
        hint = placement_hint(view)
        lines, s = t.fit_lines(hint, w, size, size, max_lines=3)
        cy += t.px(0.02)
        colour = th.GOOD if hint.endswith("starting…") else th.CAUTION
        for line in lines[:3]:
            img = t.text(line, s, colour)
            t.blit(surf, img, (x, cy), container=(x, y, w, h))
            cy += img.get_height()
        if view.ready_fraction > 0:
            bar_h = t.px(0.03)
            draw_progress_bar(surf, (x, y + h - bar_h, w, bar_h), view.ready_fraction, th.GOOD)


def draw_welcome(surf: pygame.Surface, t: th.Theme, w: WelcomeView) -> None:
    """The member's name, today's plan and its shape, and what changed since last time."""
    x, y, width, h = t.layout.body()
    pad = t.px(0.04)
    room = width - 2 * pad
    cy = y + pad // 2
    head, hsize = t.fit_lines(w.name, room, t.cap(0.09), t.min_text, max_lines=1)
    img = t.text(head[0], hsize)
    t.blit(surf, img, (x + pad, cy))
    cy += img.get_height()
    for text, colour in ((w.today, th.TEXT), (w.total, th.MUTED)):
        for line in t.fit_lines(text, room, t.min_text, t.min_text)[0] if text else []:
            img = t.text(line, t.min_text, colour)
            t.blit(surf, img, (x + pad, cy))
            cy += img.get_height()
    # the plan's shape: one segment per block, backward ones bright (as on the session bar)
    bar_h = t.px(0.035)
    cy += t.px(0.015)
    total = sum(sec for sec, _ in w.blocks) or 1.0
    acc = 0.0
    for sec, backward in w.blocks:
        x0 = x + pad + int(room * acc / total)
        acc += sec
        x1 = x + pad + int(room * acc / total)
        colour = th.GOOD if backward else th.PANEL_EDGE
        pygame.draw.rect(surf, colour, (x0, cy, max(1, x1 - x0 - 3), bar_h))
    cy += bar_h + t.px(0.03)
    if w.change:
        lines, size = t.fit_lines(w.change, room, t.min_text, t.min_text, max_lines=3)
        for line in lines:
            if cy + t.font(size).get_height() > y + h:
                break
            img = t.text(line, size, th.INFO)
            t.blit(surf, img, (x + pad, cy))
            cy += img.get_height()
