"""What every screen shares: the theme, the mirror view, the title and the button hints."""

from __future__ import annotations

import logging

import pygame

from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.mirror import MirrorView
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import ViewState
from kiosk.ui.widgets import banner_extra, draw_hint_bar, draw_top_strip, fit_text, hint_rows

logger = logging.getLogger(__name__)


class BaseScreen:
    """One screen: answers where am I (title), what is happening, what can I press."""

    title = ""
    #: a cue banner sits above the hint row (session and baseline screens)
    has_banner = False
    #: staff-only screens may use smaller type than the member floor
    staff_only = False

    def __init__(self, theme: Theme, mirror: MirrorView) -> None:
        self.theme = theme
        self.mirror = mirror

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        """(button, what it does) pairs shown at the bottom."""
        return []

    def strip_middle(self, view: ViewState) -> str:
        """Context in the middle of the top strip (member name by default)."""
        return view.member_name if view.controller and view.controller.member else ""

    def strip_right(self, view: ViewState) -> tuple[str, th.Colour]:
        """The top strip's right-hand note (the camera state when it is not fine)."""
        if view.camera_state in ("lost", "ended"):
            return "Camera: reconnecting", th.CAUTION
        if view.camera_state == "starting":
            return "Camera: starting", th.MUTED
        return view.station, th.MUTED

    def strip_role(self, view: ViewState) -> str | None:
        """The role whose icon goes before the right-hand note (None: no icon)."""
        return None

    def title_for(self, view: ViewState) -> str:
        """Where am I: the title in the top strip."""
        return self.title

    def banner_cue(self, view: ViewState) -> CueView | None:
        """The cue this screen's banner shows (None: no banner, or an empty one)."""
        return None

    def draw(self, surf: pygame.Surface, view: ViewState) -> None:
        """Draw the whole screen."""
        self.theme.begin_frame(staff=self.staff_only)
        hints = self.hints(view)
        self.theme.layout.hint_rows = len(hint_rows(self.theme, hints, self.hint_size())) or 1
        # a cue that needs a third line at the cue floor grows the banner, never shrinks
        self.theme.layout.banner_extra = (
            banner_extra(self.theme, self.banner_cue(view)) if self.has_banner else 0
        )
        surf.fill(th.BACKGROUND)
        self.draw_body(surf, view)
        self.draw_top(surf, view)
        self.draw_bottom(surf, view)
        draw_hint_bar(surf, self.theme, hints, self.hint_size())

    def hint_size(self) -> int:
        """The hints' type size: the member floor (staff screens: staff type)."""
        return self.theme.staff_text if self.staff_only else self.theme.min_text

    def draw_top(self, surf: pygame.Surface, view: ViewState) -> None:
        """The top strip: title, context, note."""
        right, colour = self.strip_right(view)
        draw_top_strip(
            surf,
            self.theme,
            self.title_for(view),
            self.strip_middle(view),
            right,
            colour,
            self.strip_role(view),
        )

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        """The main visual, between the top strip and the bottom band."""

    def draw_bottom(self, surf: pygame.Surface, view: ViewState) -> None:
        """Above the hint row: the cue banner on screens that have one."""


class LiveScreen(BaseScreen):
    """A screen with the live mirror on the left and a side panel on the right."""

    #: draw the skeleton in the posture colours (True) or in neutral blue (False)
    posture_colours = False

    def draw_mirror(self, surf: pygame.Surface, view: ViewState, dim: float | None = None) -> None:
        """The camera, the zone and the member's skeleton."""
        t = self.theme
        rect = t.layout.mirror(self.has_banner)
        self.mirror.draw(surf, rect, view.frame, view.frame_index, view.mirror, dim)
        if view.frame is None:
            msg = t.text("Waiting for the camera…", t.min_text, th.MUTED)
            t.blit(surf, msg, center=(rect[0] + rect[2] // 2, rect[1] + rect[3] // 2))
            return
        self.mirror.draw_zone(surf, view.zone, view.mirror)
        width = max(3, t.px(0.008))
        for other in view.others:
            self.mirror.draw_skeleton(
                surf,
                other,
                view.mirror,
                None,
                colour=th.DIM,
                width=max(2, width // 2),
                with_icon=False,
            )
        session = view.session
        if self.posture_colours:
            lean = session.lean_deg if session else None
            warn = session.lean_warn_deg if session else 10.0
            # the same (4x/s) posture as the gauge, so skeleton and gauge never disagree
            posture = session.posture if session else view.posture
            self.mirror.draw_skeleton(
                surf, view.landmarks, view.mirror, posture, lean, warn, width=width
            )
        else:
            self.mirror.draw_skeleton(
                surf,
                view.landmarks,
                view.mirror,
                None,
                colour=th.INFO,
                width=width,
                with_icon=False,
            )

    def panel_rect(self) -> tuple[int, int, int, int]:
        """The side panel with a margin."""
        x, y, w, h = self.theme.layout.panel(self.has_banner)
        m = self.theme.px(0.025)
        return (x + m, y + m, w - 2 * m, h - 2 * m)

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        self.draw_mirror(surf, view)
        x, y, w, h = self.theme.layout.panel(self.has_banner)
        pygame.draw.rect(surf, th.BACKGROUND, (x, y, w, h))
        pygame.draw.line(surf, th.PANEL_EDGE, (x, y), (x, y + h), 2)
        self.draw_panel(surf, view)

    def draw_panel(self, surf: pygame.Surface, view: ViewState) -> None:
        """The side panel's contents."""


def draw_error_screen(surf: pygame.Surface, t: Theme, message: str) -> None:
    """What shows instead of a screen that failed to draw: calm words, the way back."""
    surf.fill(th.BACKGROUND)
    head = fit_text(
        t, "Something went wrong — staff notified", int(t.width * 0.94), t.min_text, th.CAUTION
    )
    t.blit(surf, head, center=(t.width // 2, t.height // 3))
    logger.error("screen failed: %s", message)  # the details are for staff, in the log
    t.blit(
        surf,
        t.text("Press STOP to go back", t.min_text),
        center=(t.width // 2, int(t.height * 0.6)),
    )
