"""Summary: how the session went, against last time and the member's best, and what next."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pygame

from kiosk.session.views import Compare, SummaryView
from kiosk.ui import theme as th
from kiosk.ui.chart import draw_line_chart
from kiosk.ui.qr import draw_qr
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.screens.session import upright_role
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_icon

logger = logging.getLogger(__name__)

#: Trend marks against last time: ▲ better, ▼ worse, = the same, each in the metric's own
#: direction (fewer safety stops is better; a cadence inside its range is as good as any).
TREND_GLYPHS = {1: "▲", -1: "▼", 0: "="}
TREND_WORDS = {1: "better", -1: "worse", 0: "same"}
#: Mark of a personal best.
BEST_GLYPH = "★"
#: Metrics shown at once, and seconds before the next ones take their place.
CARDS_PER_PAGE = 2
PAGE_S = 6.0
#: What the take-away code says under it, longest first (the first that fits).
QR_LABELS = ("Scan to keep", "Scan me")


def total_row(s: SummaryView) -> Compare:
    """The whole session's time (from the session's clock), without a comparison."""
    from kiosk.session.report import fmt_minutes

    return Compare("Total", fmt_minutes(s.total_minutes) or "0:00")


def summary_cards(s: SummaryView) -> list[Compare]:
    """Every metric's card, the session's total time after the backward minutes."""
    rows = list(s.rows)
    at = next((i + 1 for i, r in enumerate(rows) if r.label == "Backward"), len(rows))
    return [*rows[:at], total_row(s), *rows[at:]]


@dataclass(frozen=True, slots=True)
class ChartPage:
    """A page with one per-second line: the belt's speed or the member's heart rate."""

    #: the chart's title, longest wording first (the first that fits is drawn)
    titles: tuple[str, ...]
    values: tuple[float | None, ...]
    colour: th.Colour
    name: str
    #: the value axis (low, high): a little room above and below the line
    y_range: tuple[float, float] = (0.0, 1.0)


def chart_pages(s: SummaryView) -> list[ChartPage]:
    """The speed and heart-rate charts, each when the session has values for it.

    The title carries the range ("Belt speed 1.0–2.6 mph"): the chart has no y-axis
    labels, which would be too small to read from 2 m.
    """
    out = []
    speeds = [v for v in s.speed_by_second if v is not None]
    if speeds:
        span = f"{min(speeds):.1f}–{max(speeds):.1f} {s.speed_units}"
        titles: tuple[str, ...] = (f"Belt speed {span}", f"Speed {span}", f"Belt {span}", span)
        y_range = (0.0, max(speeds) * 1.15)  # from a standing belt, so a step up looks its size
        out.append(ChartPage(titles, tuple(s.speed_by_second), th.INFO, "speed_chart", y_range))
    beats = [v for v in s.heart_rate_by_second if v is not None]
    if beats:
        span = f"{min(beats)}–{max(beats)} bpm"
        titles = (f"Heart rate {span}", f"Heart {span}", span)
        values = tuple(None if v is None else float(v) for v in s.heart_rate_by_second)
        y_range = (min(beats) - 10.0, max(beats) + 10.0)
        out.append(ChartPage(titles, values, th.CAUTION, "heart_chart", y_range))
    return out


Page = list[Compare] | str | ChartPage


def pages(s: SummaryView) -> list[Page]:
    """What the summary shows in turn: the cards two at a time, the belt and heart charts
    (when a treadmill or strap was linked), then the next-time advice."""
    cards = summary_cards(s)
    out: list[Page] = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    out.extend(chart_pages(s))
    out.append(s.suggestion or "Next time: the same again, standing tall.")
    return out


def page_at(s: SummaryView, seconds: float) -> Page:
    """The page shown ``seconds`` after the summary opened."""
    all_pages = pages(s)
    return all_pages[int(seconds / PAGE_S) % len(all_pages)]


def compare_line(row: Compare) -> list[str]:
    """A card's second line, longest first: "▲ better · last 380 · best 400"."""
    if row.trend is None and row.best_value is None:
        return [row.note] if row.note else []
    head = "" if row.trend is None else f"{TREND_GLYPHS[row.trend]} {TREND_WORDS[row.trend]}"
    last = "" if row.last is None else f"last {row.last}"
    best = "" if row.best_value is None or row.best else f"best {row.best_value}"
    choices = [
        " · ".join(p for p in (head, last, best) if p),
        " · ".join(p for p in (head, last) if p),
        " · ".join(p for p in (TREND_GLYPHS.get(row.trend or 0, ""), last) if p),
    ]
    if row.note:
        choices.insert(0, f"{row.note} · {choices[0]}")
    return [c for c in choices if c]


class SummaryScreen(BaseScreen):
    """The headline % upright, the metrics two at a time against last time, the QR code.

    It stays until the member presses START or the next member checks in.
    """

    title = "Session done"

    def title_for(self, view: ViewState) -> str:
        return view.summary.title if view.summary is not None else self.title

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Done")]

    def strip_middle(self, view: ViewState) -> str:
        return view.member_name

    def side_w(self, view: ViewState) -> int:
        """Width of the take-away column on the right (0 without a link)."""
        s = view.summary
        return int(self.theme.width * 0.4) if s is not None and s.takeaway_url else 0

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.summary or SummaryView()
        bx, y, bw, h = t.layout.body()
        side = self.side_w(view)
        x, w = bx, bw - side
        pad = t.px(0.025)
        size = t.min_text
        font = t.font(size)
        # the headline: the big %, its icon and word
        pct = "—" if s.pct_upright is None else f"{s.pct_upright:.0f}%"
        role = upright_role(s.pct_upright)
        head = t.blit(surf, t.text(pct, t.number_size), (x + pad, y + pad // 2), kind="number")
        icon = size
        cy = head.y + t.font(t.number_size).get_ascent() - t.font(size).get_ascent() // 2
        ix = head.right + pad
        draw_icon(surf, th.role_icon(role), (ix + icon // 2, cy), icon, th.role_colour(role))
        t.blit(surf, t.text("upright", size), midleft=(ix + icon + pad // 2, cy))
        top = head.bottom + pad // 2
        room = w - 2 * pad
        page = page_at(s, view.screen_seconds)
        if isinstance(page, ChartPage):
            rect = (x + pad, top, room, y + h - pad // 2 - top)
            inner = room - 2 * t.px(0.015)
            title = next((c for c in page.titles if font.size(c)[0] <= inner), page.titles[-1])
            draw_line_chart(
                surf,
                t,
                rect,
                s.times,
                page.values,
                page.colour,
                y_range=page.y_range,
                title=title,
                name=page.name,
            )
        elif isinstance(page, str):
            lines, lsize = t.fit_lines(page, room, size, size, max_lines=4)
            ly = top
            for line in lines:
                if ly + t.font(lsize).get_height() > y + h:
                    break
                t.blit(surf, t.text(line, lsize, th.INFO), (x + pad, ly))
                ly += t.font(lsize).get_linesize()
        else:
            ly = top
            step = font.get_linesize()
            for i, row in enumerate(page):
                if ly + 2 * font.get_height() > y + h:
                    break
                lab = t.blit(surf, t.text(row.label, size, th.MUTED), (x + pad, ly))
                value = row.now + (f" {BEST_GLYPH}" if row.best else "")
                if lab.width + pad + font.size(value)[0] <= room:
                    t.blit(surf, t.text(value, size), (lab.right + pad, ly))
                else:  # a long value ("128 bpm, peak 151") goes under its label, whole
                    ly += step
                    t.blit(surf, t.text(value, size), (x + pad, ly))
                ly += step
                # the comparison, if the page's other cards still get their two lines
                rest = (len(page) - i - 1) * 2 * step
                line = next((c for c in compare_line(row) if font.size(c)[0] <= room), "")
                if line and ly + font.get_height() + rest <= y + h:
                    t.blit(surf, t.text(line, size, th.TEXT), (x + pad, ly))
                ly += step + pad // 2
        if side:
            self._draw_takeaway(surf, s.takeaway_url, (x + w, y, side, h))

    def _draw_takeaway(self, surf: pygame.Surface, url: str, rect: th.Rect) -> None:
        """The QR code with its label under it, in the right-hand column."""
        t = self.theme
        x, y, w, h = rect
        pad = t.px(0.025)
        words = next((q for q in QR_LABELS if t.font(t.min_text).size(q)[0] <= w - 2 * pad), "")
        label = t.text(words or QR_LABELS[-1], t.min_text, th.TEXT)
        code_h = h - label.get_height() - 2 * pad
        code = draw_qr(surf, url, (x + pad, y + pad, w - 2 * pad, code_h))
        t.box("takeaway_qr", (code.x, code.y, code.w, code.h))
        t.blit(surf, label, midtop=(x + w // 2, code.bottom + pad // 2))
