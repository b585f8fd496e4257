"""Summary: how the session went, compared with last time, and what to do next time."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import SummaryView
from kiosk.ui import theme as th
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_hints, draw_line_chart, fmt_clock

logger = logging.getLogger(__name__)


def _fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}{unit}"


class SummaryScreen(BaseScreen):
    """Big % upright, the streak, cadence, two charts, last time, the next suggestion."""

    title = "Well done"

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Done")]

    def strip_middle(self, view: ViewState) -> str:
        return view.member_name

    def strip_right(self, view: ViewState) -> tuple[str, th.Colour]:
        timeout = 30.0
        if view.controller is not None:
            timeout = view.controller.timings.summary_timeout_s
        left = max(0, int(timeout - view.screen_seconds))
        return f"Back to start in {left} s", th.MUTED

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.summary or SummaryView()
        x, y, w, h = t.layout.body()
        pad = t.px(0.02)
        left_w = int(w * 0.42)
        # the headline number
        pct = _fmt(s.pct_upright, "%")
        colour = th.TEXT
        if s.pct_upright is not None:
            colour = th.GOOD if s.pct_upright >= 80 else th.CAUTION
        big = t.text(pct, t.px(0.17), colour)
        surf.blit(big, (x + pad, y + pad))
        surf.blit(
            t.text("upright", t.px(0.045), th.MUTED),
            (x + pad + big.get_width() + pad, y + pad + big.get_height() // 2),
        )
        # this time / last time table
        last = s.last or {}
        rows = [
            ("", "this time", "last time"),
            (
                "Minutes",
                _fmt(s.backward_minutes, digits=1),
                _fmt(last.get("backward_minutes"), digits=1),
            ),
            (
                "Streak",
                fmt_clock(s.longest_streak_s),
                fmt_clock(last.get("longest_streak_s") or 0.0)
                if last.get("longest_streak_s")
                else "—",
            ),
            ("Cadence", _fmt(s.cadence_avg), _fmt(last.get("cadence_avg"))),
            ("Core", _fmt(s.core_avg), _fmt(last.get("core_avg"))),
            ("Upright", pct, _fmt(last.get("pct_upright"), "%")),
        ]
        size = t.px(0.045)
        ty = y + pad + big.get_height() + pad // 2
        cols = (x + pad, x + int(left_w * 0.5), x + int(left_w * 0.78))
        row_h = int(size * 1.3)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                if not cell:
                    continue
                col = th.MUTED if i == 0 or j == 2 else th.TEXT
                # the header is smaller so "this time" / "last time" fit the narrow columns
                cell_size = t.px(0.032) if i == 0 else size
                surf.blit(t.text(cell, cell_size, col), (cols[j], ty + (size - cell_size)))
            ty += row_h
        # charts on the right
        cx = x + left_w
        cw = w - left_w - pad
        ch = (h - 3 * pad) // 2
        band = (-s.lean_warn_deg, s.lean_warn_deg)
        lo = min([-20.0, *s.lean_series]) if s.lean_series else -20.0
        hi = max([20.0, *s.lean_series]) if s.lean_series else 20.0
        draw_line_chart(
            surf,
            t,
            (cx, y + pad, cw, ch),
            s.lean_series,
            th.TEXT,
            band,
            (lo, hi),
            f"{s.lean_label} (°) — green is upright",
        )
        draw_line_chart(
            surf,
            t,
            (cx, y + 2 * pad + ch, cw, ch),
            s.core_series,
            th.INFO,
            (70.0, 100.0),
            (0.0, 100.0),
            "Core score",
        )

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.summary or SummaryView()
        x, y, w, h = t.layout.banner()
        pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
        pygame.draw.line(surf, th.INFO, (x, y), (x + w, y), 3)
        hint_w = t.px(0.3)
        text = s.suggestion or "Next time: the same again, a little taller."
        lines, size = t.fit_lines(text, w - hint_w - t.px(0.06), t.px(0.05), t.px(0.038))
        line_h = t.font(size).get_linesize()
        ty = y + (h - line_h * len(lines)) // 2
        for line in lines:
            surf.blit(t.text(line, size, th.INFO), (x + t.px(0.03), ty))
            ty += line_h
        draw_hints(surf, t, self.hints(view), (x + w - hint_w, y, hint_w, h), t.px(0.045))
