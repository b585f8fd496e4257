"""Drawing pieces shared by the screens: icons, strip, banner, hints, gauges, ring, chart."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import pygame

from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.theme import Colour, Theme
from vision.metrics.classify import ABSENT_STATES

logger = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]

#: How each physical button is named on screen.
BUTTON_LABELS = {"start": "START", "stop": "STOP", "up": "▲", "down": "▼", "select": "SELECT"}
BUTTON_COLOURS: dict[str, Colour] = {
    "start": th.GOOD,
    "stop": th.FAULT,
    "up": th.PANEL_EDGE,
    "down": th.PANEL_EDGE,
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
        w = max(3, size // 8)
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


def blit_centered(surf: pygame.Surface, img: pygame.Surface, center: tuple[int, int]) -> None:
    """Blit ``img`` centred on ``center``."""
    surf.blit(img, img.get_rect(center=center))


def draw_top_strip(
    surf: pygame.Surface,
    theme: Theme,
    title: str,
    middle: str = "",
    right: str = "",
    right_colour: Colour = th.TEXT,
) -> None:
    """The top strip: where am I (title), then context (member, block), then the right note."""
    x, y, w, h = theme.layout.top()
    pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
    pygame.draw.line(surf, th.PANEL_EDGE, (0, h - 1), (w, h - 1), 2)
    size = theme.px(0.05)
    pad = theme.px(0.02)
    t = theme.text(title, size)
    surf.blit(t, (pad, (h - t.get_height()) // 2))
    right_w = 0
    if right:
        r = theme.text(right, size, right_colour)
        right_w = r.get_width()
        surf.blit(r, (w - pad - right_w, (h - r.get_height()) // 2))
    if middle:
        left = pad * 3 + t.get_width()
        room = w - left - right_w - pad * 3
        msize = size
        while theme.font(msize).size(middle)[0] > room and msize > theme.px(0.03):
            msize -= 1
        while theme.font(msize).size(middle)[0] > room and len(middle) > 4:
            middle = middle[:-2] + "…"
        m = theme.text(middle, msize, th.MUTED)
        mx = max(left, (w - m.get_width()) // 2)
        if mx + m.get_width() > w - right_w - pad * 2:
            mx = left
        surf.blit(m, (mx, (h - m.get_height()) // 2))


def draw_banner(
    surf: pygame.Surface, theme: Theme, cue: CueView | None, rect: Rect | None = None
) -> None:
    """The cue banner: an icon, then one short imperative, background by the cue's role."""
    x, y, w, h = rect or theme.layout.banner()
    if cue is None:
        pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
        return
    colour = th.role_colour(cue.role)
    pygame.draw.rect(surf, colour, (x, y, w, h))
    icon_size = int(h * 0.66)
    pad = theme.px(0.025)
    shape = (
        cue.icon
        if cue.icon in ("tick", "triangle", "octagon", "circle")
        else th.role_icon(cue.role)
    )
    draw_icon(
        surf, shape, (x + pad + icon_size // 2, y + h // 2), icon_size, th.darker(colour), th.TEXT
    )
    tx = x + pad * 2 + icon_size
    lines, size = theme.fit_lines(cue.text, w - (tx - x) - pad, theme.cue_size, theme.cue_min_size)
    line_h = theme.font(size).get_linesize()
    ty = y + (h - line_h * len(lines)) // 2
    for line in lines:
        img = theme.text(line, size, th.TEXT)
        surf.blit(img, (tx, ty))
        ty += line_h


def draw_hints(
    surf: pygame.Surface,
    theme: Theme,
    hints: Sequence[tuple[str, str]],
    rect: Rect,
    size: int | None = None,
) -> None:
    """Button hints: a coloured key cap with the button's name, then what it does."""
    x, y, w, h = rect
    if not hints:
        return
    size = size or theme.px(0.045)
    gap = theme.px(0.03)
    items: list[tuple[pygame.Surface, pygame.Surface, Colour]] = []
    total = 0
    for button, label in hints:
        cap = theme.text(BUTTON_LABELS.get(button, button.upper()), size, th.TEXT)
        lab = theme.text(label, size, th.TEXT)
        items.append((cap, lab, BUTTON_COLOURS.get(button, th.PANEL_EDGE)))
        total += cap.get_width() + size + lab.get_width() + size // 2
    total += gap * (len(items) - 1)
    if total > w and size > theme.px(0.03):
        draw_hints(surf, theme, hints, rect, int(size * 0.85))
        return
    cx = x + max(0, (w - total) // 2)
    cy = y + h // 2
    for cap, lab, colour in items:
        cap_rect = pygame.Rect(0, 0, cap.get_width() + size // 1.5, int(size * 1.4))
        cap_rect.midleft = (cx, cy)
        pygame.draw.rect(surf, colour, cap_rect, border_radius=size // 3)
        pygame.draw.rect(surf, th.TEXT, cap_rect, 2, border_radius=size // 3)
        blit_centered(surf, cap, cap_rect.center)
        surf.blit(lab, (cap_rect.right + size // 3, cy - lab.get_height() // 2))
        cx = cap_rect.right + size // 3 + lab.get_width() + gap


def draw_hint_bar(surf: pygame.Surface, theme: Theme, hints: Sequence[tuple[str, str]]) -> None:
    """The bottom band of screens without a cue: what can I press."""
    x, y, w, h = theme.layout.banner()
    pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
    pygame.draw.line(surf, th.PANEL_EDGE, (x, y), (x + w, y), 2)
    draw_hints(surf, theme, hints, (x, y, w, h), theme.px(0.05))


def thick_arc(
    surf: pygame.Surface,
    colour: Colour,
    center: tuple[float, float],
    radius: float,
    width: float,
    a0: float,
    a1: float,
) -> None:
    """A filled arc band from angle ``a0`` to ``a1`` (degrees, 0 = right, counter-clockwise).

    Polygons instead of ``pygame.draw.arc``, which leaves moiré gaps at large widths.
    """
    if a1 < a0:
        a0, a1 = a1, a0
    steps = max(2, int((a1 - a0) / 3) + 1)
    cx, cy = center
    outer, inner = [], []
    for i in range(steps + 1):
        a = math.radians(a0 + (a1 - a0) * i / steps)
        outer.append((cx + radius * math.cos(a), cy - radius * math.sin(a)))
        inner.append((cx + (radius - width) * math.cos(a), cy - (radius - width) * math.sin(a)))
    pygame.draw.polygon(surf, colour, outer + inner[::-1])


def posture_role(posture: str | None, lean: float | None, warn: float, alert: float) -> str:
    """The colour role of a posture state: good, caution or fault (info when unknown)."""
    if posture is None or posture in ABSENT_STATES:
        return "info"
    if posture == "upright":
        return "good"
    if lean is not None and abs(lean) >= alert:
        return "fault"
    return "caution"


POSTURE_WORDS = {
    "upright": "Upright",
    "leaning_forward": "Leaning forward",
    "leaning_back": "Leaning back",
    "leaning_side": "Leaning sideways",
    "no_person": "Not seen",
    "low_confidence": "Not clear",
    None: "—",
}


def draw_lean_gauge(
    surf: pygame.Surface,
    theme: Theme,
    rect: Rect,
    lean: float | None,
    warn: float,
    back_warn: float,
    posture: str | None,
    label: str = "",
    points_right: bool = True,
    note: str = "",
) -> None:
    """Lean gauge: a ±30° arc, the upright band shaded, a needle, the word and value.

    ``lean`` is measured from the member's baseline, ``warn``/``back_warn`` are the limits
    in force either way. ``label`` names what is measured ("Trunk lean" side view, "Side
    lean" front view). ``points_right``: a positive lean tilts the needle to the right, as
    the body tilts in the mirror view. ``note`` is a line under the word (e.g. no baseline).
    """
    x, y, w, h = rect
    if label:
        surf.blit(theme.text(label, theme.px(0.032), th.MUTED), (x, y))
    span = 30.0
    label_h = theme.px(0.05)
    radius = min(w * 0.45, (h - label_h * 2.2))
    cx, cy = x + w / 2, y + label_h * 0.2 + radius
    band = max(6.0, radius * 0.28)

    sign = 1.0 if points_right else -1.0

    def ang(deg: float) -> float:
        # 90 = straight up; a positive lean draws to the side ``points_right`` names
        return 90 - sign * max(-span, min(span, deg)) * (90 / span) * 0.95

    for colour, hi, lo in (
        (th.FAULT, span, -span),
        (th.CAUTION, warn * 2, -back_warn * 2),
        (th.GOOD, warn, -back_warn),
    ):
        a0, a1 = sorted((ang(hi), ang(lo)))
        thick_arc(surf, colour, (cx, cy), radius, band, a0, a1)
    role = posture_role(posture, lean, warn, warn * 2)
    if lean is not None:
        a = math.radians(ang(lean))
        tip = (cx + (radius + band * 0.1) * math.cos(a), cy - (radius + band * 0.1) * math.sin(a))
        pygame.draw.line(surf, th.TEXT, (cx, cy), tip, max(3, int(band * 0.25)))
        pygame.draw.circle(surf, th.TEXT, (int(cx), int(cy)), max(4, int(band * 0.35)))
    word = POSTURE_WORDS.get(posture, "—")
    value = "—" if lean is None else f"{lean:+.0f}°"
    ty = cy + band * 0.5
    icon = theme.px(0.045)
    img = theme.text(f"{word}  {value}", theme.px(0.045))
    total = icon + icon // 3 + img.get_width()
    lx = int(cx - total / 2)
    draw_icon(
        surf,
        th.role_icon(role),
        (lx + icon // 2, int(ty + img.get_height() / 2)),
        icon,
        th.role_colour(role),
    )
    surf.blit(img, (lx + icon + icon // 3, ty))
    if note:
        small = theme.text(note, theme.px(0.03), th.CAUTION)
        blit_centered(surf, small, (int(cx), int(ty + img.get_height() * 1.6)))


def draw_core_ring(
    surf: pygame.Surface, theme: Theme, rect: Rect, score: float | None, label: str = "Core"
) -> None:
    """Core score 0–100 as a ring with the number inside and a label under it."""
    x, y, w, h = rect
    label_img = theme.text(label, theme.px(0.04), th.MUTED)
    radius = min(w, h - label_img.get_height()) / 2 - 2
    cx, cy = x + w / 2, y + radius + 1
    band = max(5.0, radius * 0.22)
    thick_arc(surf, th.PANEL_EDGE, (cx, cy), radius, band, -270, 90)
    if score is not None:
        frac = max(0.0, min(1.0, score / 100))
        role = "good" if score >= 70 else "caution" if score >= 40 else "fault"
        if frac > 0:
            thick_arc(surf, th.role_colour(role), (cx, cy), radius, band, 90 - 360 * frac, 90)
    num = "—" if score is None else f"{score:.0f}"
    blit_centered(surf, theme.text(num, max(8, int(radius * 0.8))), (int(cx), int(cy)))
    surf.blit(label_img, label_img.get_rect(midtop=(int(cx), int(cy + radius + 2))))


def draw_stat(
    surf: pygame.Surface,
    theme: Theme,
    rect: Rect,
    value: str,
    label: str,
    value_size: float = 0.11,
    colour: Colour = th.TEXT,
) -> None:
    """A big number with a small label under it, centred in ``rect``."""
    x, y, w, h = rect
    v = theme.text(value, theme.px(value_size), colour)
    lab = theme.text(label, theme.px(0.04), th.MUTED)
    total = v.get_height() + lab.get_height()
    vy = y + (h - total) // 2
    surf.blit(v, v.get_rect(midtop=(x + w // 2, vy)))
    surf.blit(lab, lab.get_rect(midtop=(x + w // 2, vy + v.get_height())))


def fmt_clock(seconds: float) -> str:
    """m:ss."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def draw_line_chart(
    surf: pygame.Surface,
    theme: Theme,
    rect: Rect,
    series: Sequence[float],
    colour: Colour,
    band: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    title: str = "",
) -> None:
    """A line chart; ``band`` (low, high) is shaded green as the good range."""
    x, y, w, h = rect
    pygame.draw.rect(surf, th.PANEL, rect, border_radius=6)
    title_h = 0
    if title:
        t = theme.text(title, theme.px(0.04), th.MUTED)
        surf.blit(t, (x + 8, y + 4))
        title_h = t.get_height() + 6
    px0, py0, pw, ph = x + 8, y + title_h + 4, w - 16, h - title_h - 12
    if pw < 10 or ph < 10:
        return
    values = [v for v in series if v is not None and math.isfinite(v)]
    lo, hi = y_range or ((min(values), max(values)) if values else (0.0, 1.0))
    if hi - lo < 1e-6:
        hi = lo + 1.0

    def to_y(v: float) -> float:
        return py0 + ph - (max(lo, min(hi, v)) - lo) / (hi - lo) * ph

    if band is not None:
        b0, b1 = to_y(band[1]), to_y(band[0])
        band_surf = pygame.Surface((pw, max(1, int(b1 - b0))), pygame.SRCALPHA)
        band_surf.fill((*th.GOOD, 70))
        surf.blit(band_surf, (px0, int(b0)))
    pygame.draw.line(surf, th.DIM, (px0, py0 + ph), (px0 + pw, py0 + ph), 1)
    if len(values) >= 2:
        n = len(values)
        pts = [(px0 + i * pw / (n - 1), to_y(v)) for i, v in enumerate(values)]
        pygame.draw.lines(surf, colour, False, pts, max(2, theme.px(0.006)))
    elif not values:
        msg = theme.text("no data", theme.px(0.04), th.DIM)
        blit_centered(surf, msg, (px0 + pw // 2, py0 + ph // 2))


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
    img = theme.text(text, int(size * 0.8), th.TEXT if ok else th.MUTED)
    surf.blit(img, (x + int(size * 1.3), y + (size - img.get_height()) // 2))
    return size
