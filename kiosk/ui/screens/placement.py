"""The staff screen's placement check: a live view, the progress, then each line with its fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from kiosk.ui import theme as th
from kiosk.ui.placement_view import PlacementView
from kiosk.ui.theme import Colour, Theme
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import draw_icon, fit_text

if TYPE_CHECKING:
    from kiosk.ui.screens.base import LiveScreen

#: A verdict's shape and colour, as every other screen shows good / caution / stop.
VERDICT_LOOK: dict[str, tuple[str, Colour]] = {
    "pass": ("tick", th.GOOD),
    "warn": ("triangle", th.CAUTION),
    "fail": ("octagon", th.FAULT),
}
#: Breaks a text at spaces: (text, width of a string, max width) -> lines (the staff screen's).
Wrap = Callable[[str, Callable[[str], int], int], list[str]]
#: Share of the width the live view keeps while the report is shown.
REPORT_MIRROR_SHARE = 0.36
#: Failed lines first: on a small screen what to fix is never what gets cut.
_ORDER = {"fail": 0, "warn": 1, "pass": 2}


def placement_hints(view: ViewState) -> list[tuple[str, str]]:
    """The buttons while the check is open (START only once a zone can be saved)."""
    st = view.controller.staff if view.controller is not None else None
    check = view.placement
    if check is None or check.stage != "report":
        return [("select", "Restart"), ("stop", "Back")]
    hints = [("select", "Again"), ("stop", "Back")]
    if st is not None and st.placement_zone is not None:
        hints.insert(0, ("start", "Save zone"))
    return hints


def draw_placement(screen: LiveScreen, surf: pygame.Surface, view: ViewState, wrap: Wrap) -> None:
    """The live view (and the suggested zone) on the left, the check's words on the right.

    While collecting the live view gets half the width (staff watch the walker); the report
    gets more of it, for each line and its fix.
    """
    t = screen.theme
    check = view.placement
    report = check is not None and check.stage == "report"
    _bx, by, bw, bh = t.layout.body(screen.has_banner)
    split = int(bw * (REPORT_MIRROR_SHARE if report else 0.5))
    rect = (0, by, split, bh)
    screen.mirror.draw(surf, rect, view.frame, view.frame_index, view.mirror, 0.9)
    if view.frame is None:
        msg = t.text("Waiting for the camera", t.px(0.036), th.MUTED)
        t.blit(surf, msg, center=(rect[0] + rect[2] // 2, rect[1] + rect[3] // 2))
    else:
        screen.mirror.draw_skeleton(
            surf, view.landmarks, view.mirror, None, colour=th.INFO, with_icon=False
        )
        if check is not None and check.zone is not None:
            screen.mirror.draw_zone(surf, check.zone, view.mirror, th.GOOD, max(3, t.px(0.008)))
    pygame.draw.rect(surf, th.BACKGROUND, (split, by, bw - split, bh))
    pygame.draw.line(surf, th.PANEL_EDGE, (split, by), (split, by + bh), 2)
    m = t.px(0.025)
    panel = (split + m, by + m, bw - split - 2 * m, bh - 2 * m)
    if check is None:
        return
    if report:
        _draw_report(t, surf, check, view, panel, wrap)
    else:
        _draw_progress(t, surf, check, panel)


def _draw_progress(
    t: Theme, surf: pygame.Surface, check: PlacementView, panel: tuple[int, int, int, int]
) -> None:
    px, py, pw, _ph = panel
    size = t.px(0.045)
    cy = py
    title = fit_text(t, "Placement check", pw, t.px(0.055), th.TEXT)
    cy += t.blit(surf, title, (px, cy)).h + t.px(0.02)
    if check.stage == "judging":
        words = ["Judging what was seen", "(a few seconds)"]
    else:
        words = ["Walk on the belt as usual,", "over its whole length."]
    for text in words:
        cy += t.blit(surf, fit_text(t, text, pw, size, th.TEXT), (px, cy)).h + t.px(0.008)
    cy += t.px(0.03)
    bar_h = t.px(0.05)
    pygame.draw.rect(surf, th.PANEL, (px, cy, pw, bar_h), border_radius=bar_h // 3)
    done = int(pw * max(0.0, min(1.0, check.progress)))
    if done:
        pygame.draw.rect(surf, th.INFO, (px, cy, done, bar_h), border_radius=bar_h // 3)
    t.box("placement progress", (px, cy, pw, bar_h))
    cy += bar_h + t.px(0.02)
    seconds = check.progress * check.seconds
    line = f"{seconds:.0f} of {check.seconds:.0f} s watched"
    t.blit(surf, fit_text(t, line, pw, size, th.MUTED), (px, cy))


def _draw_report(
    t: Theme,
    surf: pygame.Surface,
    check: PlacementView,
    view: ViewState,
    panel: tuple[int, int, int, int],
    wrap: Wrap,
) -> None:
    px, py, pw, ph = panel
    size = t.px(0.036)
    font = t.font(size)
    row_h = int(font.get_linesize() * 1.05)
    icon = int(size * 1.1)
    text_x = px + icon + t.px(0.015)
    text_w = px + pw - text_x
    cy = py
    failed = sum(1 for line in check.lines if line.verdict == "fail")
    if not check.lines:  # judging itself failed: say so, never "all pass"
        head, head_colour = "Placement: not judged", th.CAUTION
    elif failed:
        head, head_colour = f"Placement: {failed} to fix", th.CAUTION
    else:
        head, head_colour = "Placement: all lines pass", th.GOOD
    cy += t.blit(surf, fit_text(t, head, pw, t.px(0.045), head_colour), (px, cy)).h
    cy += t.px(0.01)
    footer = _footer(view, check)
    if check.error:
        footer.insert(0, (check.error, th.CAUTION))
    limit = py + ph - row_h * len(footer)
    lines = sorted(check.lines, key=lambda line: _ORDER.get(line.verdict, 3))

    def width(text: str) -> int:
        return font.size(text)[0]

    gap = t.px(0.006)

    def plan(compact: bool) -> list[tuple[list[str], list[str]]]:
        out = []
        for line in lines:
            words = f"{line.name}: {line.measured}"
            if line.verdict == "pass" and compact:
                # a pass needs no reading: its name alone when the measure does not fit
                rows = [words] if width(words) <= text_w else [line.name]
            else:
                rows = wrap(words, width, text_w)
            fixes = wrap(f"Fix: {line.fix}", width, text_w) if line.fix else []
            out.append((rows, fixes))
        return out

    full = plan(compact=False)
    tall = sum(row_h * (len(r) + len(f)) + gap for r, f in full)
    planned = full if cy + tall <= limit else plan(compact=True)
    for i, line in enumerate(lines):
        shape, colour = VERDICT_LOOK.get(line.verdict, ("circle", th.INFO))
        rows, fixes = planned[i]
        # a row stays free for naming the lines that do not fit (never silently dropped)
        reserve = 2 * row_h if i < len(lines) - 1 else 0
        if cy + row_h * (len(rows) + len(fixes)) + reserve > limit:
            # grouped by verdict, wrapped whole ("Also passed: sharpness, pose rate")
            groups: dict[str, list[str]] = {}
            for x in lines[i:]:
                groups.setdefault(x.verdict, []).append(x.name)
            words = {"pass": "passed", "warn": "to check", "fail": "FAILED"}
            rest = "; ".join(f"{words.get(v, v)}: {', '.join(n)}" for v, n in groups.items())
            parts, fitted = t.fit_lines(f"Also {rest}", pw, size, size, max_lines=2)
            for part in parts:
                t.blit(surf, t.text(part, fitted, th.MUTED), (px, cy))
                cy += row_h
            break
        draw_icon(surf, shape, (px + icon // 2, cy + row_h // 2), icon, colour)
        for text in rows:
            t.blit(surf, t.text(text, size, th.TEXT), (text_x, cy))
            cy += row_h
        for text in fixes:
            t.blit(surf, t.text(text, size, colour), (text_x, cy))
            cy += row_h
        cy += gap
    fy = limit
    for text, colour in footer:
        t.blit(surf, fit_text(t, text, pw, size, colour), (px, fy))
        fy += row_h


def _footer(view: ViewState, check: PlacementView) -> list[tuple[str, Colour]]:
    st = view.controller.staff if view.controller is not None else None
    message = st.message if st is not None else ""
    if message:
        return [(message, th.GOOD)]
    if check.zone is not None:
        return [("Green frame: the suggested zone", th.GOOD)]
    return []
