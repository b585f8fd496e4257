"""Summary: how the session went, against last time and the member's best, and what next."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import Compare, SummaryView
from kiosk.ui import theme as th
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


def pages(s: SummaryView) -> list[list[Compare] | str]:
    """What the summary shows in turn: the cards, two at a time, then the next-time advice."""
    cards = summary_cards(s)
    out: list[list[Compare] | str] = [
        cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)
    ]
    out.append(s.suggestion or "Next time: the same again, standing tall.")
    return out


def page_at(s: SummaryView, seconds: float) -> list[Compare] | str:
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
        if isinstance(page, str):
            lines, lsize = t.fit_lines(page, room, size, size, max_lines=4)
            ly = top
            for line in lines:
                if ly + t.font(lsize).get_height() > y + h:
                    break
                t.blit(surf, t.text(line, lsize, th.INFO), (x + pad, ly))
                ly += t.font(lsize).get_linesize()
        else:
            ly = top
            for row in page:
                if ly + 2 * font.get_height() > y + h:
                    break
                lab = t.blit(surf, t.text(row.label, size, th.MUTED), (x + pad, ly))
                value = row.now + (f" {BEST_GLYPH}" if row.best else "")
                t.blit(surf, t.text(value, size), (lab.right + pad, ly))
                ly += font.get_linesize()
                line = next((c for c in compare_line(row) if font.size(c)[0] <= room), "")
                if line:
                    t.blit(surf, t.text(line, size, th.TEXT), (x + pad, ly))
                ly += font.get_linesize() + pad // 2
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
