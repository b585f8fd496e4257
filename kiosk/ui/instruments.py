"""Panel instruments besides the lean gauge: the core ring, number-and-unit lines, checks."""

from __future__ import annotations

import math

import pygame

from kiosk.ui import theme as th
from kiosk.ui.gauge import draw_state_line, thick_arc
from kiosk.ui.theme import Colour, Rect, Theme
from kiosk.ui.widgets import draw_icon


def draw_core_ring(
    surf: pygame.Surface, theme: Theme, rect: Rect, score: float | None, label: str = "Core"
) -> None:
    """Core score 0–100 as a ring; the number fits inside ("100" too); a word and icon under it.

    The word ("strong", "fair", "weak") and its icon say what the ring colour says.
    """
    x, y, w, h = rect
    size = theme.min_text
    line_h = theme.font(size).get_linesize()
    radius = max(8.0, min(w, h - line_h) / 2 - 2)
    cx, cy = x + w / 2, y + radius + 1
    band = max(5.0, radius * 0.14)
    thick_arc(surf, th.PANEL_EDGE, (cx, cy), radius, band, -270, 90)
    role = "info"
    if score is not None:
        frac = max(0.0, min(1.0, score / 100))
        # below 70 is the core cue's "caution" (triangle), the same shape as on the banner
        role = "good" if score >= 70 else "caution"
        if frac > 0:
            thick_arc(surf, th.role_colour(role), (cx, cy), radius, band, 90 - 360 * frac, 90)
    inner = radius - band - 2
    # the widest number ("100") must sit inside the hole: its box's corners on the circle
    num = "…" if score is None else f"{score:.0f}"
    num_size = max(theme.min_text, int(inner * 0.9))
    while not _fits_circle(theme.font(num_size).size("100"), inner) and num_size > theme.min_text:
        num_size -= 1
    nw, nh = theme.font(num_size).size("100")
    a = math.atan2(nh, nw)
    hw, hh = inner * math.cos(a), inner * math.sin(a)
    hole = (int(cx - hw), int(cy - hh), int(2 * hw) + 1, int(2 * hh) + 1)
    theme.box("core_ring", hole)
    theme.blit(surf, theme.text(num, num_size), center=(int(cx), int(cy)), container=hole)
    # the icon carries the state next to the label; the word is added where it fits
    word = None if score is None else "strong" if score >= 70 else "fair" if score >= 40 else "weak"
    text = label
    if word and theme.font(size).size(f"{label} {word}")[0] + size * 1.4 <= w:
        text = f"{label} {word}"
    draw_state_line(surf, theme, (int(cx), int(y + h - line_h / 2)), role, text, w)


def draw_stat_line(
    surf: pygame.Surface,
    theme: Theme,
    pos: tuple[int, int],
    value: str,
    unit: str,
    value_size: float = 0.1,
    role: str | None = None,
    max_width: int | None = None,
) -> int:
    """A big value then its unit on one baseline ("94 steps/min"); returns the height.

    Within ``max_width`` pixels the value shrinks (never below the member's text floor) when
    it and its unit would not fit: "100% upright" ran off the panel's edge at every size.
    """
    x, y = pos
    value_px = theme.px(value_size)
    v = theme.text(value, value_px)
    u = theme.text(unit, theme.min_text, th.MUTED)
    icon = theme.min_text if role is not None else 0
    icon_w = icon + icon // 3 if role is not None else 0
    gap = theme.px(0.015)
    if max_width is not None:
        room = max_width - icon_w - gap - u.get_width()
        if 0 < room < v.get_width():
            v = theme.text(value, max(theme.min_text, value_px * room // v.get_width()))
    ix = x
    if role is not None:
        draw_icon(
            surf,
            th.role_icon(role),
            (x + icon // 2, y + v.get_height() // 2),
            icon,
            th.role_colour(role),
        )
        ix += icon_w
    vr = theme.blit(surf, v, (ix, y))
    theme.blit(surf, u, (vr.right + gap, vr.bottom - u.get_height() - v.get_height() // 12))
    return v.get_height()


def draw_stat(
    surf: pygame.Surface,
    theme: Theme,
    rect: Rect,
    value: str,
    label: str,
    value_size: float = 0.11,
    colour: Colour = th.TEXT,
) -> None:
    """A big number with its label under it, centred in ``rect``."""
    x, y, w, h = rect
    v = theme.text(value, theme.px(value_size), colour)
    lab = theme.text(label, theme.min_text, th.MUTED)
    total = v.get_height() + lab.get_height()
    vy = y + (h - total) // 2
    theme.blit(surf, v, midtop=(x + w // 2, vy))
    theme.blit(surf, lab, midtop=(x + w // 2, vy + v.get_height()))


def draw_progress_bar(surf: pygame.Surface, rect: Rect, fraction: float, colour: Colour) -> None:
    """A horizontal progress bar."""
    x, y, w, h = rect
    pygame.draw.rect(surf, th.PANEL_EDGE, rect, border_radius=h // 2)
    fw = int(w * max(0.0, min(1.0, fraction)))
    if fw > 0:
        pygame.draw.rect(surf, colour, (x, y, fw, h), border_radius=h // 2)


def draw_check(
    surf: pygame.Surface, theme: Theme, pos: tuple[int, int], ok: bool, text: str, size: int
) -> int:
    """One check line (tick when met, triangle when not); returns its height."""
    x, y = pos
    role = "good" if ok else "caution"
    draw_icon(surf, th.role_icon(role), (x + size // 2, y + size // 2), size, th.role_colour(role))
    img = theme.text(text, max(theme.min_text, int(size * 0.8)), th.TEXT if ok else th.MUTED)
    theme.blit(surf, img, midleft=(x + int(size * 1.3), y + size // 2))
    return size


def _fits_circle(size: tuple[int, int], radius: float) -> bool:
    """True when a ``size`` (w, h) box centred in a circle of ``radius`` stays inside it."""
    w, h = size
    return math.hypot(w / 2, h / 2) <= radius
