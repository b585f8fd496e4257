"""The far-end safety stop never says "back in place" while the member is still past the limit.

Written with only the screen flow's public calls, so it reads the same before and after the
safety screen learned to follow the member (it failed before: "You're back in place" from
the first frame, as soon as the whole body was in view).
"""

from __future__ import annotations

import os

import pygame
import pytest
from support.screen_views import make_view

from kiosk.flow.machine import Screen, VisionSnapshot
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

pytestmark = pytest.mark.usefixtures("pygame_display")

WHOLE_BODY = VisionSnapshot(camera="ok", person=True, whole_body=True, in_zone=True)


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_far_end_stop_says_what_happened_not_back_in_place(size, demo_frame) -> None:
    view = make_view(Screen.SAFETY, demo_frame)
    c = view.controller
    c.screen = Screen.SESSION
    c._session_active = True
    c.on_vision_event("safety", {"reason": "drift_back"}, 10.0)
    c.on_vision(WHOLE_BODY, 10.05)  # whole body in view, but nobody knows she stepped back
    view.safety_reason = c.safety_reason
    view.screen_seconds = 0.05
    theme = Theme(*size)
    theme.recording = True
    build_screens(theme)[Screen.SAFETY].draw(pygame.Surface(size), view)
    texts = [d.text for d in theme.drawn]
    assert "You're back in place" not in texts
    assert c.on_button("start", "press", 10.1) == []  # START does not resume yet
    assert any("console" in t for t in texts), texts  # which way to step
