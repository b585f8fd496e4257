"""Session screen: the block bar, the mirror with the posture skeleton, instruments, the cue."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import CueView, SessionView
from kiosk.ui import theme as th
from kiosk.ui.gauge import draw_lean_gauge
from kiosk.ui.machine_notes import StripNote, machine_notes
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.screens.transition import draw_transition
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_banner, draw_icon, fmt_clock

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


def block_choices(s: SessionView) -> list[str]:
    """The block bar's left part, longest first: direction and speed, then the block's name."""
    named = f"{s.block_name} {s.block_index + 1}/{s.block_count}"
    return [c for c in (block_now(s), named, s.block_name) if c]


#: Seconds each secondary number stays in the top strip before the next one shows.
ROTATE_S = 5.0


def rotating_note(s: SessionView, now: float) -> StripNote | None:
    """The secondary number shown now (they take turns), with its wordings longest first.

    The member needs the cue, one posture state, the block and its time left; % upright,
    cadence, core and the next change take turns at the member's type size instead of
    sharing the panel at a size nobody reads from 2 m. With a treadmill or strap linked,
    every other turn is the belt's or the heart's (`machine_notes`), so the belt speed
    and the heart rate come round often without pushing the posture numbers out.
    """
    items: list[StripNote] = []
    if s.pct_upright is not None:
        items.append(StripNote((f"{s.pct_upright:.0f}% upright", f"{s.pct_upright:.0f}%")))
    if s.cadence_spm is not None:
        items.append(StripNote((f"{s.cadence_spm:.0f} steps/min", f"{s.cadence_spm:.0f}/min")))
    if s.core_score is not None:
        items.append(StripNote((f"Core {s.core_score:.0f}",)))
    if s.next_instruction:
        items.append(StripNote(tuple(block_next(s)[:2])))
    machine = machine_notes(s.machine)
    turn = int(now / ROTATE_S)
    if machine and items:
        pool = machine if turn % 2 == 0 else items
        return pool[(turn // 2) % len(pool)]
    pool = machine or items
    return pool[turn % len(pool)] if pool else None


def draw_block_bar(surf: pygame.Surface, t: th.Theme, s: SessionView, now: float = 0.0) -> None:
    """The top strip of a session: this block, one rotating number, and the plan's shape."""
    x, y, w, h = t.layout.top()
    pygame.draw.rect(surf, th.PANEL, (x, y, w, h))
    pad = t.px(0.025)
    size = t.min_text
    font = t.font(size)
    bar_h = max(4, t.px(0.012))
    cy = (h - bar_h) // 2
    note = rotating_note(s, now)
    choices = note.choices if note is not None else ()
    icon = size if note is not None and note.role is not None else 0
    icon_gap = icon // 3
    # the note may take what the block's name and number leave (at least 45% of the width)
    named = block_choices(s)[-2:][0]
    limit = max(w * 0.45, w - 3 * pad - font.size(named)[0])
    right = next(iter(choices), "")
    for choice in choices:
        right = choice
        if font.size(choice)[0] + icon + icon_gap <= limit:
            break
    right_w = (font.size(right)[0] + icon + icon_gap) if right else 0
    room = w - 3 * pad - right_w
    left = next((c for c in block_choices(s) if font.size(c)[0] <= room), "")
    if not left:  # the block comes first: drop the rotating number rather than the block
        right, room = "", w - 2 * pad
        left = next((c for c in block_choices(s) if font.size(c)[0] <= room), s.block_name)
    t.blit(surf, t.text(left, size), midleft=(pad, cy))
    if right and note is not None:
        img = t.text(right, size, note.colour)
        rx = w - pad - img.get_width()
        t.blit(surf, img, midleft=(rx, cy))
        if icon and note.role is not None:
            # a heart-rate zone: its shape and colour before the number, its word in the text
            centre = (rx - icon_gap - icon // 2, cy)
            draw_icon(surf, th.role_icon(note.role), centre, icon, th.role_colour(note.role))
    # the plan's shape: one segment per block, backward ones bright, progress filled
    total = sum(sec for sec, _ in s.blocks) or 1.0
    by = h - bar_h
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


def draw_big_clock(
    surf: pygame.Surface, t: th.Theme, rect: th.Rect, seconds: float, unit: str
) -> pygame.Rect:
    """The number that matters (cap height 12% of H) and its unit word, centred in ``rect``."""
    x, y, w, h = rect
    num = t.text(fmt_clock(seconds), t.number_size)
    u = t.text(unit, t.min_text, th.MUTED) if unit else None
    gap = t.px(0.02)
    total = num.get_width() + (gap + u.get_width() if u else 0)
    if total > w and u is not None:  # the unit goes under the number rather than off the edge
        r = t.blit(surf, num, midtop=(x + w // 2, y), kind="number")
        t.blit(surf, u, midtop=(x + w // 2, r.bottom))
        return r
    lx = x + (w - total) // 2
    r = t.blit(surf, num, (lx, y + (h - num.get_height()) // 2), kind="number")
    if u is not None:
        # on the number's baseline
        base = r.y + t.font(t.number_size).get_ascent()
        t.blit(surf, u, (r.right + gap, base - t.font(t.min_text).get_ascent()))
    return r


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
        draw_block_bar(surf, self.theme, view.session, view.now)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        t = self.theme
        s = view.session or SessionView()
        x, y, w, h = self.panel_rect()
        # the block's time left: the largest number on screen, at the bottom of the panel
        clock_h = t.font(t.number_size).get_height()
        draw_big_clock(surf, t, (x, y + h - clock_h, w, clock_h), s.remaining_s, "left")
        # one posture state above it: the gauge's arc and its word
        draw_lean_gauge(
            surf,
            t,
            (x, y, w, h - clock_h - t.px(0.01)),
            s.lean_deg,
            s.lean_warn_deg,
            s.lean_back_warn_deg,
            s.posture,
            s.lean_label,
            s.lean_points_right,
            s.baseline_note,
        )

    def banner_cue(self, view: ViewState) -> CueView | None:
        cue = view.cue
        if cue is None and view.session is not None:
            # no cue is due: the banner says what this block asks for instead of going blank
            s = view.session
            cue = CueView(s.instruction or s.block_name, "info", "circle")
        return cue

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        draw_banner(surf, self.theme, self.banner_cue(view))
        if view.session is not None and view.session.transition is not None:
            # a block change is coming: the countdown covers the body
            draw_transition(surf, self.theme, view.session.transition)
