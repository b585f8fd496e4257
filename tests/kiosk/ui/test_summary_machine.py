"""The summary of a session with a treadmill or strap: their rows and per-second lines."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
import pytest
from support.screen_views import SIZE_PARAMS, make_view, summary, summary_with_machine

from kiosk.flow.machine import Screen
from kiosk.session.views import SummaryView
from kiosk.ui import theme as th
from kiosk.ui.screens import build_screens
from kiosk.ui.screens.summary import ChartPage, pages
from kiosk.ui.theme import Theme

pytestmark = pytest.mark.usefixtures("pygame_display")


def every_page(size: tuple[int, int], s: SummaryView) -> list[tuple[Theme, pygame.Surface]]:
    """Each page of the summary as drawn: its theme (texts, boxes) and its pixels."""
    out = []
    for page in range(len(pages(s))):
        view = make_view(Screen.SUMMARY, None)
        view.summary = s
        view.screen_seconds = 6.0 * page + 1
        theme = Theme(*size)
        theme.recording = True
        surf = pygame.Surface(size)
        build_screens(theme)[Screen.SUMMARY].draw(surf, view)
        out.append((theme, surf))
    return out


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_speed_and_heart_rate_get_a_chart_each_with_their_range(size):
    drawn = every_page(size, summary_with_machine())
    boxes = {name for theme, _ in drawn for name in theme.boxes}
    assert {"speed_chart", "heart_chart"} <= boxes
    texts = {d.text for theme, _ in drawn for d in theme.drawn}
    assert any(t.endswith(" 1.0–2.0 mph") and t[0].isalpha() for t in texts), texts
    assert any(t.startswith("Heart") and t.endswith("95–144 bpm") for t in texts), texts
    # the line is drawn in the chart, in its colour
    for theme, surf in drawn:
        for name, colour in (("speed_chart", th.INFO), ("heart_chart", th.CAUTION)):
            if name in theme.boxes:
                x, y, w, h = theme.boxes[name]
                px = pygame.surfarray.array3d(surf)[x : x + w, y : y + h]
                assert (np.abs(px - np.array(colour)).sum(axis=2) < 10).sum() > w, name


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_four_more_rows_each_drawn_whole(size):
    s = summary_with_machine()
    drawn = every_page(size, s)
    texts = [d.text for theme, _ in drawn for d in theme.drawn]
    for row in s.rows:
        assert row.label in texts, f"{row.label} never shown"
        assert any(t.startswith(row.now) for t in texts), f"{row.now} never shown"


def test_without_a_treadmill_or_strap_no_chart_pages():
    plain = summary()
    assert not any(isinstance(p, ChartPage) for p in pages(plain))
    assert len(pages(summary_with_machine())) == len(pages(plain)) + 2 + 2  # 2 pages of rows


def test_a_missing_second_breaks_the_line():
    s = summary_with_machine()
    s.heart_rate_by_second = [None if 60 <= i < 90 else 120 for i in range(len(s.times))]
    s.speed_by_second = []
    theme, surf = every_page((800, 480), s)[-2]  # the heart chart, before the advice
    x, y, w, h = theme.boxes["heart_chart"]
    px = pygame.surfarray.array3d(surf)[x : x + w, y : y + h]
    coloured = (np.abs(px - np.array(th.CAUTION)).sum(axis=2) < 10).any(axis=1)
    gap = coloured[int(w * 65 / 150) : int(w * 85 / 150)]
    assert coloured.sum() > w // 2 and not gap.any()
