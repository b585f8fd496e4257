"""Every screen drawn on a real pygame Surface at the kiosk's screen sizes."""

from __future__ import annotations

import os

from support.screen_views import SIZES, make_view

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


import numpy as np
import pygame
import pytest

from kiosk.flow.machine import Screen
from kiosk.session.views import CueView
from kiosk.ui import theme as th
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import ViewState

pytestmark = pytest.mark.usefixtures("pygame_display")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(Screen), ids=lambda s: s.value)
def test_every_screen_draws_something_with_a_title_and_hints(screen, size, demo_frame):
    w, h = size
    surf = pygame.Surface(size)
    surf.fill((255, 0, 255))
    screens = build_screens(Theme(w, h))
    screens[screen].draw(surf, make_view(screen, demo_frame))
    px = pygame.surfarray.array3d(surf)
    assert not np.all(px == (255, 0, 255)), "nothing was drawn"
    assert px.reshape(-1, 3).std(axis=0).max() > 10, "the screen is a flat colour"
    # the magenta fill must be covered everywhere: no region left undrawn
    assert not np.any(np.all(px == (255, 0, 255), axis=2))
    assert screens[screen].title, "every screen says where you are"
    assert screens[screen].hints(make_view(screen, demo_frame)), "and what you can press"


def test_banner_colour_and_icon_follow_the_cue_role(demo_frame):
    theme = Theme(800, 480)
    surf = pygame.Surface((800, 480))
    screen = build_screens(theme)[Screen.SESSION]
    view = make_view(Screen.SESSION, demo_frame)
    _bx, by, bw, _bh = theme.layout.banner()
    for role, colour in (("good", th.GOOD), ("caution", th.CAUTION), ("fault", th.FAULT)):
        view.cue = CueView("Nice and tall", role)
        screen.draw(surf, view)
        assert surf.get_at((bw - 3, by + 3))[:3] == th.banner_colour(role)
        assert th.banner_colour(role) == colour or role == "fault"


def test_portrait_frame_is_letterboxed_and_mirrored(demo_frame):
    theme = Theme(1280, 720)
    surf = pygame.Surface((1280, 720))
    frame = np.zeros((640, 360, 3), np.uint8)
    frame[:, :180] = (250, 0, 0)  # the camera's left half is red
    view = make_view(Screen.POSITION, frame)
    view.landmarks = None
    build_screens(theme)[Screen.POSITION].draw(surf, view)
    mx, my, mw, mh = theme.layout.mirror(banner=False)
    cy = my + mh // 2
    assert surf.get_at((mx + 3, cy))[:3] == (0, 0, 0)  # letterbox bar on the left
    assert surf.get_at((mx + mw - 3, cy))[:3] == (0, 0, 0)  # and on the right
    left = surf.get_at((mx + mw // 2 - 40, cy))
    right = surf.get_at((mx + mw // 2 + 40, cy))
    assert right[0] > 100 and left[0] < 50  # mirrored: the red half shows on the right


def test_safety_screen_is_full_screen_vermillion(demo_frame):
    theme = Theme(800, 480)
    surf = pygame.Surface((800, 480))
    view = make_view(Screen.SAFETY, demo_frame)
    view.now = 0.1
    build_screens(theme)[Screen.SAFETY].draw(surf, view)
    px = pygame.surfarray.array3d(surf).reshape(-1, 3)
    from kiosk.ui.screens.safety import SHADES

    share = np.mean(np.all(px == SHADES[0], axis=1))
    assert share > 0.5


def test_the_position_hint_recommends_a_side_view_unless_staff_chose_front() -> None:
    from kiosk.flow.machine import Screen
    from kiosk.ui.screens.position import view_hint, wanted_view

    auto = ViewState(screen=Screen.POSITION, expected_view="auto", detected_view="front")
    assert wanted_view(auto) == "side" and "side-on" in view_hint(auto)
    side = ViewState(screen=Screen.POSITION, expected_view="side", detected_view="front")
    assert "beside the belt" in view_hint(side)
    front = ViewState(screen=Screen.POSITION, expected_view="front", detected_view="side")
    assert wanted_view(front) == "front" and "in front" in view_hint(front)
    assert ViewState(screen=Screen.POSITION).expected_view == "auto"  # the config default
