"""The block-change countdown: drawn over the session body, with the steps to take in order."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import TransitionView
from kiosk.ui import theme as th
from kiosk.ui.widgets import blit_centered, fit_text

logger = logging.getLogger(__name__)

#: The overlay's ground: the info blue darkened so white type reads (WCAG AA).
GROUND = th.darker(th.INFO, 0.45)


def draw_transition(surf: pygame.Surface, t: th.Theme, tv: TransitionView) -> None:
    """Cover the body (mirror and panel) with the countdown, where to and what to do.

    Left: the seconds left in a ring, big enough to read from the belt. Right: "Next: ...",
    the next block's instruction, then each step on its own line ("Hold the rails", ...).
    """
    x, y, w, h = t.layout.body(banner=True)
    pygame.draw.rect(surf, GROUND, (x, y, w, h))
    t.box("transition", (x, y, w, h))
    ring_w = min(int(w * 0.3), h)
    cx, cy = x + ring_w // 2, y + h // 2
    r = int(min(ring_w, h) * 0.4)
    pygame.draw.circle(surf, th.darker(th.INFO, 0.25), (cx, cy), r)
    pygame.draw.circle(surf, th.TEXT, (cx, cy), r, max(3, r // 12))
    number = fit_text(t, str(tv.seconds_left), int(r * 1.4), int(r * 1.2), th.TEXT)
    blit_centered(surf, number, (cx, cy), t)
    tx = x + ring_w + t.px(0.02)
    room = x + w - tx - t.px(0.03)
    lines: list[tuple[str, int]] = [(tv.title, t.px(0.075)), (tv.instruction, t.min_text)]
    steps = [s[:1].upper() + s[1:] for s in tv.steps]
    lines += [(f"{i}. {s}", t.min_text) for i, s in enumerate(steps, 1)]
    gap = t.px(0.012)
    heights = [t.font(size).get_linesize() for _, size in lines]
    total = sum(heights) + gap * (len(lines) - 1)
    ly = y + max(t.px(0.01), (h - total) // 2)
    for (text, size), line_h in zip(lines, heights, strict=True):
        img = fit_text(t, text, room, size, th.TEXT)
        t.blit(surf, img, (tx, ly), container=(tx, y, room, h))
        ly += line_h + gap
