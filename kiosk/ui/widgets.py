"""Drawing pieces shared by the screens: icons, strip, banner, hints, gauges, ring, chart."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import pygame

from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.theme import Colour, Theme

logger = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]

#: How each physical button is named on screen.
BUTTON_LABELS = {
    "start": "START",
    "stop": "STOP",
    "up": "▲",
    "down": "▼",
    "updown": "▲ ▼",  # the two arrow buttons that step one value, shown as one key cap
    "select": "SELECT",
}
BUTTON_COLOURS: dict[str, Colour] = {
    "start": th.GOOD,
    "stop": th.FAULT,
    "up": th.PANEL_EDGE,
    "down": th.PANEL_EDGE,
    "updown": th.PANEL_EDGE,
    "select": th.INFO,
}


def draw_icon(
    surf: pygame.Surface,
    shape: str,
    center: tuple[int, int],
    size: int,
    colour: Colour,
    fg: Colour = th.TEXT,
) -> None:
    """A state icon: ``tick`` good, ``triangle`` caution, ``octagon`` stop/fault, ``circle``."""
    cx, cy = center
    r = size // 2
    pts: list[tuple[float, float]]
    if shape == "triangle":
        pts = [(cx, cy - r), (cx + r, cy + int(r * 0.8)), (cx - r, cy + int(r * 0.8))]
        pygame.draw.polygon(surf, colour, pts)
        pygame.draw.polygon(surf, fg, pts, max(2, size // 16))
        w = max(3, size // 9)
        pygame.draw.rect(surf, fg, (cx - w // 2, cy - r // 3, w, int(r * 0.6)))
        pygame.draw.rect(surf, fg, (cx - w // 2, cy + int(r * 0.42), w, w))
    elif shape == "octagon":
        pts = [
            (
                cx + r * math.cos(math.radians(22.5 + 45 * i)),
                cy + r * math.sin(math.radians(22.5 + 45 * i)),
            )
            for i in range(8)
        ]
        pygame.draw.polygon(surf, colour, pts)
        pygame.draw.polygon(surf, fg, pts, max(2, size // 16))
        w = max(3, size // 9)
        # a white bar: the road-sign "stop" shape reads without colour
        pygame.draw.rect(surf, fg, (cx - int(r * 0.55), cy - w // 2 - 1, int(r * 1.1), w + 2))
    elif shape == "tick":
        pygame.draw.circle(surf, colour, center, r)
        pygame.draw.circle(surf, fg, center, r, max(2, size // 16))
        w = max(3, size // 6)  # a bold tick: its shape, not its colour, says "good"
        pygame.draw.lines(
            surf,
            fg,
            False,
            [
                (cx - r * 0.45, cy + r * 0.02),
                (cx - r * 0.1, cy + r * 0.38),
                (cx + r * 0.5, cy - r * 0.35),
            ],
            w,
        )
    else:  # circle with an "i": information
        pygame.draw.circle(surf, colour, center, r)
        pygame.draw.circle(surf, fg, center, r, max(2, size // 16))
        w = max(3, size // 9)
        pygame.draw.rect(surf, fg, (cx - w // 2, cy - r // 8, w, int(r * 0.6)))
        pygame.draw.rect(surf, fg, (cx - w // 2, cy - int(r * 0.5), w, w))


def blit_centered(
    surf: pygame.Surface, img: pygame.Surface, center: tuple[int, int], theme: Theme | None = None
) -> None:
    """Blit ``img`` centred on ``center`` (measured by ``theme`` when it is recording)."""
    if theme is not None:
        theme.blit(surf, img, center=center)
    else:
        surf.blit(img, img.get_rect(center=center))


def fit_text(theme: Theme, text: str, max_width: int, size: int, colour: Colour) -> pygame.Surface:
    """``text`` at ``size``, cut with "…" if it is wider than ``max_width`` (never smaller)."""
    img = theme.text(text, size, colour)
    while img.get_width() > max_width and len(text) > 2:
        text = text[:-2].rstrip() + "…"
        img = theme.text(text, size, colour)
    return img


def draw_top_strip(
    surf: pygame.Surface,
    theme: Theme,
    title: str,
    middle: str = "",
    right: str = "",
    right_colour: Colour = th.TEXT,
    right_role: str | None = None,
) -> None:
    """The top strip: where am I (title), then context (member, block), then the right note.

    Everything is drawn at the member type size; a middle that does not fit is cut with "…"
    rather than shrunk below it, and the right note's icon shape carries its state.
    """
    x, y, w, h = theme.layout.top()
    pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
    pygame.draw.line(surf, th.PANEL_EDGE, (0, h - 1), (w, h - 1), 2)
    size = theme.min_text
    pad = theme.px(0.025)
    cy = h // 2
    font = theme.font(size)
    if right and font.size(title)[0] + font.size(right)[0] + size * 1.5 + 3 * pad > w:
        right = ""  # where am I comes first; the body says what the note would have said
    t = theme.blit(surf, theme.text(title, size), midleft=(pad, cy))
    right_x = w - pad
    if right:
        r = theme.text(right, size, right_colour)
        right_x = w - pad - r.get_width()
        theme.blit(surf, r, midleft=(right_x, cy))
        if right_role is not None:
            icon = int(size * 1.0)
            right_x -= icon + pad // 2
            draw_icon(
                surf,
                th.role_icon(right_role),
                (right_x + icon // 2, cy),
                icon,
                th.role_colour(right_role),
            )
    if middle:
        left = t.right + pad * 2
        room = right_x - pad * 2 - left
        if room > size * 2:
            m = fit_text(theme, middle, room, size, th.MUTED)
            theme.blit(surf, m, midleft=(left, cy))


def banner_icon(role: str | None) -> str:
    """The banner's icon: one shape per role, so a fault looks the same on gauge and banner."""
    return th.role_icon(role)


def banner_lines(theme: Theme, text: str, width: int | None = None) -> tuple[list[str], int]:
    """How a cue's ``text`` is set in a banner ``width`` wide: (lines, font size)."""
    w = theme.width if width is None else width
    icon_size = min(int(theme.layout.banner_h * 0.62), theme.px(0.14))
    room = w - theme.px(0.03) * 3 - icon_size
    return theme.fit_lines(text, room, theme.cue_size, theme.cue_min_size)


def banner_extra(theme: Theme, cue: CueView | None) -> int:
    """Pixels the banner must grow upward so ``cue`` fits at the cue floor (0 for most)."""
    if cue is None:
        return 0
    theme.layout.banner_extra = 0
    lines, size = banner_lines(theme, cue.text)
    need = theme.font(size).get_height() * len(lines)
    return max(0, need - theme.layout.banner_h)


def draw_banner(
    surf: pygame.Surface, theme: Theme, cue: CueView | None, rect: Rect | None = None
) -> None:
    """The cue banner: an icon, then one short imperative in one or two balanced lines.

    The text colour is chosen for contrast (near-black on the light orange, sky-blue and
    green; white on dark), and the text keeps a margin from every edge.
    """
    x, y, w, h = rect or theme.layout.banner()
    if cue is None:
        pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
        return
    urgent = getattr(cue, "level", "") == "urgent"
    # an urgent cue (past a safety-net limit) has its own colour, darker than a fault's
    colour = th.darker(th.FAULT_BANNER, 0.7) if urgent else th.banner_colour(cue.role)
    ink = th.text_on(colour)
    pygame.draw.rect(surf, colour, (x, y, w, h))
    icon_size = min(int(h * 0.62), theme.px(0.14))
    pad = theme.px(0.03)
    shape = banner_icon(cue.role)
    # warnings are solid ink shapes; the tick is drawn hollow, so "good" and "fault" differ
    # in outline and weight as well as colour (green and vermillion merge for protanopes)
    fill, fg = (colour, ink) if shape == "tick" else (ink, colour)
    draw_icon(surf, shape, (x + pad + icon_size // 2, y + h // 2), icon_size, fill, fg)
    if urgent:
        # and a heavy frame, so it differs from an escalated cue in shape too
        pygame.draw.rect(surf, ink, (x, y, w, h), max(4, h // 10))
    tx = x + pad * 2 + icon_size
    room = (x + w - pad) - tx
    # never below the cue floor (8% cap height): a long cue wraps instead (``banner_extra``)
    lines, size = theme.fit_lines(cue.text, room, theme.cue_size, theme.cue_min_size)
    step = theme.font(size).get_height()
    ty = y + (h - step * len(lines)) // 2
    inner = (tx, y, room, h)
    for line in lines:
        theme.blit(surf, theme.text(line, size, ink), (tx, ty), container=inner, kind="cue")
        ty += step


def _hint_items(
    theme: Theme, hints: Sequence[tuple[str, str]], size: int
) -> list[tuple[pygame.Surface, pygame.Surface | None, Colour, int]]:
    """Each hint's key cap, label, cap colour and whole width at ``size``."""
    items = []
    for button, label in hints:
        colour = BUTTON_COLOURS.get(button, th.PANEL_EDGE)
        cap = theme.text(BUTTON_LABELS.get(button, button.upper()), size, th.text_on(colour))
        lab = theme.text(label, size, th.TEXT) if label else None
        width = cap.get_width() + size // 3 + (size // 4 + lab.get_width() if lab else 0)
        items.append((cap, lab, colour, width))
    return items


def hint_rows(
    theme: Theme, hints: Sequence[tuple[str, str]], size: int | None = None
) -> list[list[int]]:
    """The hints' indices packed into rows that fit the screen's width, left to right."""
    size = size or theme.min_text
    gap = theme.px(0.03)
    room = theme.width - 2 * theme.px(0.015)
    rows: list[list[int]] = []
    used = 0
    for i, (*_rest, width) in enumerate(_hint_items(theme, hints, size)):
        if rows and used + gap + width <= room:
            rows[-1].append(i)
            used += gap + width
        else:
            rows.append([i])
            used = width
    return rows


def draw_hints(
    surf: pygame.Surface,
    theme: Theme,
    hints: Sequence[tuple[str, str]],
    rect: Rect,
    size: int | None = None,
) -> None:
    """Button hints: a key cap with the button's name, then what it does, left to right.

    Hints that do not fit one row at the member's type size go on a second row rather than
    shrinking or running off the edge (``Layout.hint_rows`` makes the room).
    """
    x, y, w, h = rect
    if not hints:
        return
    size = size or theme.min_text
    gap = theme.px(0.03)
    items = _hint_items(theme, hints, size)
    rows = hint_rows(theme, hints, size)
    row_h = max(h // len(rows), int(size * 1.35))
    y = min(y, y + h - row_h * len(rows))  # a screen that kept one row's height: grow up
    for r, row in enumerate(rows):
        total = sum(items[i][3] for i in row) + gap * (len(row) - 1)
        cx = x + max(theme.px(0.015), (w - total) // 2)
        cy = y + r * row_h + row_h // 2
        for i in row:
            cap, lab, colour, _width = items[i]
            cap_rect = pygame.Rect(
                0, 0, cap.get_width() + size // 3, min(row_h - 4, int(size * 1.3))
            )
            cap_rect.midleft = (cx, cy)
            pygame.draw.rect(surf, colour, cap_rect, border_radius=size // 4)
            pygame.draw.rect(surf, th.TEXT, cap_rect, 2, border_radius=size // 4)
            theme.blit(surf, cap, center=cap_rect.center)
            cx = cap_rect.right
            if lab is not None:
                theme.blit(surf, lab, midleft=(cx + size // 4, cy))
                cx += size // 4 + lab.get_width()
            cx += gap


def draw_hint_bar(
    surf: pygame.Surface, theme: Theme, hints: Sequence[tuple[str, str]], size: int | None = None
) -> None:
    """The bottom row of every screen: what can I press, always in the same place."""
    x, y, w, h = theme.layout.hints()
    pygame.draw.rect(surf, th.BACKGROUND, (x, y, w, h))
    pygame.draw.line(surf, th.PANEL_EDGE, (x, y), (x + w, y), 2)
    draw_hints(surf, theme, hints, (x, y, w, h), size)


def fmt_clock(seconds: float) -> str:
    """m:ss."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"
