"""The lean gauge: an arc with the limits in force, a needle, and the posture in words."""

from __future__ import annotations

import math

import pygame

from kiosk.ui import theme as th
from kiosk.ui.theme import Colour, Theme
from kiosk.ui.widgets import Rect, draw_icon, fit_text
from vision.metrics.classify import ABSENT_STATES


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


def posture_role(posture: str | None, lean: float | None) -> str:
    """The role of a posture state: good upright, fault leaning, info while unknown.

    A lean the analyzer calls a fault is a fault on the gauge too (octagon), the same shape
    the banner shows for its posture cue.
    """
    if posture is None or posture in ABSENT_STATES or lean is None:
        return "info"
    if posture == "upright":
        return "good"
    return "fault"


POSTURE_WORDS = {
    "upright": "Upright",
    "leaning_forward": "Leaning forward",
    "leaning_back": "Leaning back",
    "leaning_side": "Leaning sideways",
    "no_person": "Not seen",
    "low_confidence": "Not clear",
    None: "Measuring…",
}


def lean_words(posture: str | None, lean: float | None, side: bool = False) -> str:
    """The posture state in the words a member reads: "Upright", "15° forward", "20° back".

    One convention both ways: a size in degrees and a direction word, never a sign (a forward
    lean once showed no number while a back lean showed "-20°"). ``side``: the front-view
    gauge, whose lean is sideways.
    """
    if lean is None or posture is None or posture in ABSENT_STATES:
        return POSTURE_WORDS.get(posture, "Measuring…") if lean is not None else "Measuring…"
    if posture == "upright":
        return "Upright"
    if side or posture == "leaning_side":
        return f"{abs(lean):.0f}° sideways"
    return f"{abs(lean):.0f}° {'forward' if lean > 0 else 'back'}"


def draw_state_line(
    surf: pygame.Surface,
    theme: Theme,
    center: tuple[int, int],
    role: str,
    text: str,
    max_width: int,
    size: int | None = None,
    colour: Colour = th.TEXT,
) -> pygame.Rect:
    """An icon (shape by role) then a word, centred: the state without relying on colour."""
    size = size or theme.min_text
    icon = size
    img = fit_text(theme, text, max_width - icon - icon // 3, size, colour)
    total = icon + icon // 3 + img.get_width()
    lx = int(center[0] - total / 2)
    draw_icon(surf, th.role_icon(role), (lx + icon // 2, center[1]), icon, th.role_colour(role))
    return theme.blit(surf, img, midleft=(lx + icon + icon // 3, center[1]))


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
    """Lean gauge: a ±30° arc as wide as the panel allows, the upright band, a needle, a word.

    ``lean`` is measured from the member's baseline, ``warn``/``back_warn`` are the limits
    in force either way. ``points_right``: a positive lean tilts the needle to the right, as
    the body tilts in the mirror view. The word line carries an icon by state; ``label``
    ("Trunk lean" / "Side lean") is added to it when it fits. ``note`` is a line above the
    word (e.g. no baseline: safety limits only).
    """
    x, y, w, h = rect
    span = 30.0
    #: the arc's half-angle: a flat 120° arc is wider than a half circle in the same height
    half = 60.0
    line_h = theme.font(theme.min_text).get_linesize()
    lines = 2 if note else 1
    room_h = h - lines * line_h - theme.px(0.02)
    sin_h, cos_h = math.sin(math.radians(half)), math.cos(math.radians(half))
    # the arc's height is r * (1 - cos(half)) plus the band's end caps (band * sin(half))
    radius = max(10.0, min(w * 0.98 / (2 * sin_h), room_h / (1 - cos_h + 0.26 * cos_h)))
    band = max(6.0, radius * 0.16)
    cx, cy = x + w / 2, y + radius + theme.px(0.005)
    arc_w = int(2 * radius * sin_h)
    theme.box("gauge", (int(cx - arc_w / 2), y, arc_w, int(radius * (1 - cos_h) + band)))
    sign = 1.0 if points_right else -1.0

    def ang(deg: float) -> float:
        # 90 = straight up; a positive lean draws to the side ``points_right`` names
        return 90 - sign * max(-span, min(span, deg)) * (half / span) * 0.97

    for colour, hi, lo in (
        (th.FAULT, span, -span),
        (th.CAUTION, warn * 2, -back_warn * 2),
        (th.GOOD, warn, -back_warn),
    ):
        a0, a1 = sorted((ang(hi), ang(lo)))
        thick_arc(surf, colour, (cx, cy), radius, band, a0, a1)
    role = posture_role(posture, lean)
    if lean is not None:
        # the needle crosses the band where the lean is (its pivot is far below the arc)
        a = math.radians(ang(lean))
        c, s_ = math.cos(a), math.sin(a)
        r0, r1 = radius - band * 1.6, radius + band * 0.35
        inner = (cx + r0 * c, cy - r0 * s_)
        outer = (cx + r1 * c, cy - r1 * s_)
        pygame.draw.line(surf, th.BLACK, inner, outer, max(5, int(band * 0.55)))
        pygame.draw.line(surf, th.TEXT, inner, outer, max(3, int(band * 0.35)))
        pygame.draw.circle(surf, th.TEXT, (int(inner[0]), int(inner[1])), max(4, int(band * 0.4)))
    text = lean_words(posture, lean, side=label.startswith("Side"))
    ty = int(y + h - line_h / 2)
    draw_state_line(surf, theme, (int(cx), ty), role, text, w)
    if note:
        img = fit_text(theme, note, w, theme.min_text, th.CAUTION)
        theme.blit(surf, img, center=(int(cx), ty - line_h))
