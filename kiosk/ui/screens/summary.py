"""Summary: how the session went, against last time and the member's best, and what next."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import Compare, CueView, SummaryView
from kiosk.ui import theme as th
from kiosk.ui.chart import draw_line_chart
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.screens.session import upright_role
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner, draw_icon

logger = logging.getLogger(__name__)

#: Arrow glyphs for a change against last time (the shape says it, not the colour).
TREND_GLYPHS = {1: "▲", -1: "▼", 0: "="}
#: Mark of a personal best.
BEST_GLYPH = "★"


def chart_title(t: th.Theme, width: int, choices: tuple[str, ...]) -> str:
    """The first title that fits the chart's width at the member type size."""
    room = width - t.px(0.04)
    return next((c for c in choices if t.font(t.min_text).size(c)[0] <= room), choices[-1])


def lean_titles(label: str) -> tuple[str, ...]:
    """Titles for the lean chart, longest first: around the baseline, or from vertical."""
    if label.endswith("from vertical"):
        return (label, "Lean from vertical", label.split(" from")[0] + " (°)")
    return (f"{label} vs. baseline", "Lean vs. baseline", f"{label} (°)")


def total_row(s: SummaryView) -> Compare:
    """The whole session's time, without a comparison."""
    from kiosk.session.report import fmt_minutes

    return Compare("Total", fmt_minutes(s.total_minutes) or "0:00")


class SummaryScreen(BaseScreen):
    """Headline % upright, a this-time / last-time table, lean and core charts, next time."""

    title = "Session done"
    has_banner = True

    def title_for(self, view: ViewState) -> str:
        return view.summary.title if view.summary is not None else self.title

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Done")]

    def strip_middle(self, view: ViewState) -> str:
        return view.member_name

    def strip_right(self, view: ViewState) -> tuple[str, th.Colour]:
        timeout = 30.0
        if view.controller is not None:
            timeout = view.controller.timings.summary_timeout_s
        left = max(0, int(timeout - view.screen_seconds))
        return f"Closes in {left} s", th.MUTED

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.summary or SummaryView()
        x, y, w, h = t.layout.body(banner=True)
        pad = t.px(0.025)
        size = t.min_text
        font = t.font(size)
        rows = [s.rows[0], total_row(s), *s.rows[2:]] if s.rows else []
        # the table's columns, measured: label | today | best | trend | last time
        glyph_w = font.size("▲")[0]
        label_w = max([font.size(r.label)[0] for r in rows] or [0])
        now_w = max([font.size(r.now)[0] for r in rows] + [font.size("today")[0]])
        last_w = max([font.size(r.last or "")[0] for r in rows] + [font.size("last")[0]])
        gap = t.px(0.02)
        cols = (x + pad, x + pad + label_w + gap)
        best_x = cols[1] + now_w + gap // 2
        trend_x = best_x + glyph_w + gap // 2
        last_x = trend_x + glyph_w + gap // 2
        left_w = last_x + last_w + pad - x
        # the headline: the big %, its icon and word, the change since last time
        pct = "—" if s.pct_upright is None else f"{s.pct_upright:.0f}%"
        role = upright_role(s.pct_upright)
        big = t.text(pct, t.px(0.13))
        head = t.blit(surf, big, (x + pad, y + pad // 2))
        icon = size
        ix = head.right + pad
        lh = font.get_linesize()
        line1 = head.y + max(0, (head.h - 2 * lh) // 2) + lh // 2
        draw_icon(surf, th.role_icon(role), (ix + icon // 2, line1), icon, th.role_colour(role))
        upright = next((r for r in s.rows if r.label == "Upright"), None)
        word = "upright"
        if upright is not None and upright.best:
            word += f" {BEST_GLYPH} best"
        r1 = t.blit(surf, t.text(word, size), midleft=(ix + icon + pad // 2, line1))
        left_w = max(left_w, r1.right + pad - x)
        if upright is not None and upright.last is not None:
            note = f"{TREND_GLYPHS.get(upright.trend or 0, '=')} last {upright.last}"
            r2 = t.blit(surf, t.text(note, size, th.MUTED), midleft=(ix, line1 + lh))
            left_w = max(left_w, r2.right + pad - x)
        # the table
        row_h = int(font.get_linesize() * 1.05)
        ty = head.bottom + pad // 2
        has_last = any(r.last is not None for r in rows)
        t.blit(surf, t.text("today", size, th.MUTED), (cols[1], ty))
        if has_last:
            t.blit(surf, t.text("last", size, th.MUTED), (last_x, ty))
        ty += row_h
        for row in rows:
            if row.label == "Upright":
                continue  # the headline says it
            t.blit(surf, t.text(row.label, size, th.MUTED), (cols[0], ty))
            t.blit(surf, t.text(row.now, size), (cols[1], ty))
            if row.trend is not None:
                t.blit(surf, t.text(TREND_GLYPHS[row.trend], size), (trend_x, ty))
            if row.last is not None:
                t.blit(surf, t.text(row.last, size, th.MUTED), (last_x, ty))
            if row.best:
                t.blit(surf, t.text(BEST_GLYPH, size, th.CAUTION), (best_x, ty))
            ty += row_h
        # the charts on the right: lean around the baseline, then core
        cx = x + max(left_w, int(w * 0.45))
        cw = x + w - pad - cx
        ch = (h - 3 * pad // 2) // 2
        lo = min([-20.0, *(v for v in s.lean_rel if v is not None)])
        hi = max([20.0, *(v for v in s.lean_rel if v is not None)])
        draw_line_chart(
            surf,
            t,
            (cx, y + pad // 2, cw, ch),
            s.times,
            s.lean_rel,
            th.TEXT,
            s.lean_band,
            (lo, hi),
            chart_title(
                t,
                cw,
                lean_titles(s.lean_label),
            ),
            outside=s.not_upright,
            name="lean_chart",
        )
        draw_line_chart(
            surf,
            t,
            (cx, y + pad + ch, cw, ch),
            s.times,
            s.core_by_second,
            th.INFO,
            (70.0, 100.0),
            (0.0, 100.0),
            "Core score",
            name="core_chart",
        )

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        s = view.summary or SummaryView()
        text = s.suggestion or "Next time: the same again, standing tall."
        draw_banner(surf, self.theme, CueView(text, "info", "circle"))
