"""Session screen: mirror with the posture-coloured skeleton, three instruments, the cue."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import CueView, SessionView
from kiosk.ui import theme as th
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner, draw_core_ring, draw_lean_gauge, draw_stat, fmt_clock

logger = logging.getLogger(__name__)


def block_label(s: SessionView) -> str:
    """The block's name and where it sits in the session ("Backward · 2/3")."""
    return f"{s.block_name} · {s.block_index + 1}/{s.block_count}"


def upright_note(s: SessionView | None) -> tuple[str, th.Colour]:
    """'82% upright · 0:45' (share of upright time and the current streak)."""
    if s is None or s.pct_upright is None:
        return "", th.MUTED
    colour = th.GOOD if s.pct_upright >= 80 else th.CAUTION if s.pct_upright >= 60 else th.FAULT
    return f"{s.pct_upright:.0f}% upright · {fmt_clock(s.streak_s)}", colour


class SessionScreen(LiveScreen):
    """The coaching screen, read at a glance from 2 m."""

    title = "Session"
    posture_colours = True

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Pause"), ("stop", "End")]

    def strip_middle(self, view: ViewState) -> str:
        s = view.session
        name = view.member_name
        return f"{name} · {block_label(s)}" if s else name

    def strip_right(self, view: ViewState) -> tuple[str, th.Colour]:
        text, colour = upright_note(view.session)
        return (text, colour) if text else super().strip_right(view)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.session or SessionView()
        x, y, w, h = self.panel_rect()
        h -= self.draw_panel_hints(surf, view)
        gauge_h = int(h * 0.36)
        draw_lean_gauge(
            surf,
            t,
            (x, y, w, gauge_h),
            s.lean_deg,
            s.lean_warn_deg,
            s.lean_back_warn_deg,
            s.posture,
            s.lean_label,
            s.lean_points_right,
            s.baseline_note,
        )
        row_y = y + gauge_h + t.px(0.01)
        row_h = int(h * 0.30)
        draw_core_ring(surf, t, (x, row_y, w // 2, row_h), s.core_score)
        cadence = "—" if s.cadence_spm is None else f"{s.cadence_spm:.0f}"
        draw_stat(surf, t, (x + w // 2, row_y, w // 2, row_h), cadence, "steps/min", 0.09)
        timer_y = row_y + row_h + t.px(0.01)
        timer_h = y + h - timer_y
        kind_word = "left" if s.remaining_s > 0 else "done"
        draw_stat(
            surf,
            t,
            (x, timer_y, w, timer_h),
            fmt_clock(s.remaining_s),
            f"{kind_word} · {fmt_clock(s.elapsed_s)} done",
            0.13,
        )

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        cue = view.cue
        if cue is None and view.session is not None:
            # no cue is due: the banner says what this block asks for instead of going blank
            s = view.session
            speed = f" at {s.speed_mph:g} mph" if s.speed_mph else ""
            cue = CueView(f"{s.block_name}{speed}", "info", "circle")
        draw_banner(surf, self.theme, cue)
