"""Session screen: the block bar, the mirror with the posture skeleton, instruments, the cue."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import CueView, SessionView
from kiosk.ui import theme as th
from kiosk.ui.instruments import draw_core_ring, draw_stat_line
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.screens.transition import draw_transition
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner, draw_lean_gauge, fmt_clock

logger = logging.getLogger(__name__)


def block_label(s: SessionView) -> str:
    """The block's name and where it sits in the session ("Backward · 2/3")."""
    return f"{s.block_name} · {s.block_index + 1}/{s.block_count}"


def upright_role(pct: float | None) -> str:
    """The role of a % upright: good from 80%, caution from 60%, else fault."""
    if pct is None:
        return "info"
    return "good" if pct >= 80 else "caution" if pct >= 60 else "fault"


def upright_note(s: SessionView | None) -> tuple[str, th.Colour]:
    """'82% upright' (share of upright time), coloured by its role."""
    if s is None or s.pct_upright is None:
        return "", th.MUTED
    return f"{s.pct_upright:.0f}% upright", th.role_colour(upright_role(s.pct_upright))


def block_now(s: SessionView) -> str:
    """The block bar's left part: what to do now, direction first ("Walk BACKWARD · 1 mph")."""
    return s.instruction or s.block_name


def block_next(s: SessionView) -> list[str]:
    """The countdown to the next change, longest wording first ("FORWARD 2 mph in 1:50")."""
    clock = fmt_clock(s.remaining_s)
    nxt = s.next_instruction or "Finish"
    short = nxt.split(" ")[0]
    return [f"{nxt} in {clock}", f"{short} in {clock}", clock]


def draw_block_bar(surf: pygame.Surface, t: th.Theme, s: SessionView) -> None:
    """The top strip of a session: this block, what comes next, and the plan's shape."""
    x, y, w, h = t.layout.top()
    pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
    pad = t.px(0.025)
    size = t.min_text
    bar_h = max(4, t.px(0.012))
    cy = (h - bar_h) // 2
    now = t.text(block_now(s), size)
    left = t.blit(surf, now, midleft=(pad, cy))
    room = w - left.right - 3 * pad
    for choice in block_next(s):
        if t.font(size).size(choice)[0] <= room:
            img = t.text(choice, size, th.TEXT)
            t.blit(surf, img, midleft=(w - pad - img.get_width(), cy))
            break
    # the plan's shape: one segment per block, backward ones bright, progress filled
    total = sum(sec for sec, _ in s.blocks) or 1.0
    bx, by = 0, h - bar_h
    pygame.draw.rect(surf, th.BACKGROUND, (0, by, w, bar_h))
    done_x = int(w * min(1.0, s.session_elapsed_s / total))
    acc = 0.0
    for sec, backward in s.blocks:
        x0 = int(w * acc / total)
        acc += sec
        x1 = int(w * acc / total)
        colour = th.TEXT if backward else th.MUTED
        pygame.draw.rect(surf, th.PANEL_EDGE, (x0, by, x1 - x0, bar_h))
        if done_x > x0:
            pygame.draw.rect(surf, colour, (x0, by, min(x1, done_x) - x0, bar_h))
        pygame.draw.line(surf, th.BACKGROUND, (x1 - 1, by), (x1 - 1, by + bar_h), 2)
    del bx


class SessionScreen(LiveScreen):
    """The coaching screen, read at a glance from 2 m."""

    title = "Session"
    posture_colours = True
    has_banner = True

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        return [("start", "Pause"), ("stop", "End session")]

    def draw_top(self, surf: pygame.Surface, view: ViewState) -> None:
        if view.session is None:
            super().draw_top(surf, view)
            return
        draw_block_bar(surf, self.theme, view.session)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.session or SessionView()
        x, y, w, h = self.panel_rect()
        gauge_h = int(h * 0.48)
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
        row_h = y + h - row_y
        ring_w = int(w * 0.33)
        draw_core_ring(surf, t, (x, row_y, ring_w, row_h), s.core_score)
        sx = x + ring_w + t.px(0.02)
        line_h = row_h // 2
        # before the first values: "…" (measuring) rather than empty dashes
        room = x + w - sx - t.px(0.02)  # keep clear of the screen's edge
        cadence = "…" if s.cadence_spm is None else f"{s.cadence_spm:.0f}"
        draw_stat_line(surf, t, (sx, row_y), cadence, "steps/min", 0.075, max_width=room)
        pct = "…" if s.pct_upright is None else f"{s.pct_upright:.0f}%"
        draw_stat_line(
            surf,
            t,
            (sx, row_y + line_h),
            pct,
            "upright",
            0.075,
            role=upright_role(s.pct_upright),
            max_width=room,
        )

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        cue = view.cue
        if cue is None and view.session is not None:
            # no cue is due: the banner says what this block asks for instead of going blank
            s = view.session
            cue = CueView(s.instruction or s.block_name, "info", "circle")
        draw_banner(surf, self.theme, cue)
        if view.session is not None and view.session.transition is not None:
            # a block change is coming: the countdown covers the body (issue 21)
            draw_transition(surf, self.theme, view.session.transition)
