"""Position screen: the live mirror until the member stands in the zone, whole body visible."""

from __future__ import annotations

import logging

import pygame

from kiosk.ui import theme as th
from kiosk.ui.instruments import draw_check, draw_progress_bar
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.view_state import ViewState

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
    if not view.side_view:
        return view_hint(view)
    return "Hold still…"


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

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        x, y, w, h = self.panel_rect()
        size = t.min_text
        checks = [
            (view.whole_body, "Whole body"),
            (view.in_zone, "In the zone"),
            (view.side_view, f"{wanted_view(view).capitalize()} view"),
        ]
        cy = y + t.px(0.01)
        for ok, text in checks:
            draw_check(surf, t, (x, cy), ok, text, int(size * 1.2))
            cy += int(size * 1.6)
        hint = placement_hint(view)
        lines, s = t.fit_lines(hint, w, size, size, max_lines=3)
        cy += t.px(0.02)
        colour = th.CAUTION if hint != "Hold still…" else th.GOOD
        for line in lines[:3]:
            img = t.text(line, s, colour)
            t.blit(surf, img, (x, cy), container=(x, y, w, h))
            cy += img.get_height()
        if view.ready_fraction > 0:
            bar_h = t.px(0.03)
            draw_progress_bar(surf, (x, y + h - bar_h, w, bar_h), view.ready_fraction, th.GOOD)
