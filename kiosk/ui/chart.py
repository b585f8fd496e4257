"""The summary's line chart: a time axis, a shaded good band, and per-second state marks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pygame

from kiosk.ui import theme as th
from kiosk.ui.theme import Colour, Rect, Theme
from kiosk.ui.widgets import fmt_clock


def axis_ticks(duration_s: float, max_ticks: int = 4) -> list[float]:
    """Round tick times (s) from 0 to ``duration_s``: every 30 s, 1, 2, 5 or 10 minutes."""
    for step in (30.0, 60.0, 120.0, 300.0, 600.0, 1200.0):
        if duration_s / step <= max_ticks:
            break
    return [i * step for i in range(int(duration_s // step) + 1)]


def draw_line_chart(
    surf: pygame.Surface,
    theme: Theme,
    rect: Rect,
    times: Sequence[float],
    series: Sequence[float | None],
    colour: Colour,
    band: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    title: str = "",
    outside: Sequence[bool] | None = None,
    name: str = "chart",
) -> None:
    """A line chart over ``times`` (s); ``band`` (low, high) shaded as the good range.

    ``outside`` marks the seconds the session counted as not upright: they are drawn as
    ticks under the axis, so what the headline % counts can be seen on the chart, without
    relying on colour.
    """
    x, y, w, h = rect
    pygame.draw.rect(surf, th.PANEL, rect, border_radius=6)
    size = theme.min_text
    pad = theme.px(0.015)
    line_h = theme.font(size).get_linesize()
    if title:
        theme.blit(surf, theme.text(title, size, th.MUTED), (x + pad, y + pad // 2), container=rect)
    top = y + (line_h + pad // 2 if title else pad)
    axis_h = line_h
    px0, py0 = x + pad, top + pad // 2
    pw, ph = w - 2 * pad, h - (top - y) - axis_h - pad
    theme.box(name, (px0, py0, pw, max(1, ph)))
    if pw < 10 or ph < 10:
        return
    pts_in = [
        (t, v) for t, v in zip(times, series, strict=False) if v is not None and math.isfinite(v)
    ]
    values = [v for _, v in pts_in]
    lo, hi = y_range or ((min(values), max(values)) if values else (0.0, 1.0))
    if hi - lo < 1e-6:
        hi = lo + 1.0
    duration = max([1.0, *times]) if times else 1.0

    def to_x(t: float) -> float:
        return px0 + max(0.0, min(1.0, t / duration)) * pw

    def to_y(v: float) -> float:
        return py0 + ph - (max(lo, min(hi, v)) - lo) / (hi - lo) * ph

    if band is not None:
        b0, b1 = to_y(band[1]), to_y(band[0])
        band_surf = pygame.Surface((pw, max(1, int(b1 - b0))), pygame.SRCALPHA)
        band_surf.fill((*th.GOOD, 70))
        surf.blit(band_surf, (px0, int(b0)))
        pygame.draw.line(surf, th.GOOD, (px0, int(b0)), (px0 + pw, int(b0)), 1)
        pygame.draw.line(surf, th.GOOD, (px0, int(b1)), (px0 + pw, int(b1)), 1)
    base = py0 + ph
    pygame.draw.line(surf, th.MUTED, (px0, base), (px0 + pw, base), 2)
    if outside:
        mark_h = max(3, theme.px(0.012))
        for t, out in zip(times, outside, strict=False):
            if out:
                pygame.draw.rect(
                    surf, th.TEXT, (int(to_x(t)), base - mark_h, max(2, pw // 120), mark_h)
                )
    # a missing second (a strap's dropout) breaks the line: no value is drawn where none was
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in zip(times, series, strict=False):
        if v is not None and math.isfinite(v):
            runs[-1].append((to_x(t), to_y(v)))
        elif runs[-1]:
            runs.append([])
    for run in runs:
        if len(run) >= 2:
            pygame.draw.lines(surf, colour, False, run, max(2, theme.px(0.006)))
        elif len(run) == 1:
            pygame.draw.circle(surf, colour, (int(run[0][0]), int(run[0][1])), theme.px(0.01))
    if not pts_in:
        msg = theme.text("no data", size, th.MUTED)
        theme.blit(surf, msg, center=(px0 + pw // 2, py0 + ph // 2), container=(px0, py0, pw, ph))
    last_right = -1
    for tick in axis_ticks(duration):
        tx = int(to_x(tick))
        pygame.draw.line(surf, th.MUTED, (tx, base), (tx, base + pad // 2), 2)
        label = theme.text(fmt_clock(tick), size, th.MUTED)
        lr = label.get_rect(midtop=(tx, base + 1))
        lr.clamp_ip(pygame.Rect(x + 1, y, w - 2, h))
        if lr.left > last_right + pad:
            theme.blit(surf, label, lr.topleft, container=rect)
            last_right = lr.right
