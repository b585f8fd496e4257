"""Screens that used to say the wrong thing (issue 22), checked on the rendered screens."""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from support.screen_views import SIZES, make_view, variants

from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import KioskController, Screen
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import DrawnText, Theme
from kiosk.ui.view_builder import ViewMemory, build_view
from kiosk.ui.view_state import StaffView
from kiosk.vision_link.link import StatusFacts
from vision.types import Frame, FrameResult

pytestmark = pytest.mark.usefixtures("pygame_display")


def render(size: tuple[int, int], view) -> list[DrawnText]:
    theme = Theme(*size)
    theme.recording = True
    build_screens(theme)[view.screen].draw(pygame.Surface(size), view)
    return list(theme.drawn)


def said(drawn: list[DrawnText]) -> str:
    """Every text drawn, joined as read (lines of one sentence joined by a space)."""
    return " ".join(d.text for d in drawn).replace("\u00a0", " ")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_expired_membership_says_when_whole(size, demo_frame):
    drawn = render(size, variants(demo_frame)["checkin_rejected_reason"])
    text = said(drawn)
    assert "Membership expired on 3 March — please see staff" in text
    assert "Not recognised" not in text and "…" not in text
    assert not any(d.text.endswith(" 3") for d in drawn)  # "3 March" is never split


def test_without_a_camera_the_idle_screen_asks_for_staff_after_30_s(demo_frame):
    view = make_view(Screen.IDLE, None)
    view.camera_state = "lost"
    view.camera_down_s = 5.0
    assert "please wait" in said(render((800, 480), view))
    view.camera_down_s = 31.0
    text = said(render((800, 480), view))
    assert "Ask staff: the camera is not connected" in text
    assert "Press START" not in text
    staff = variants(demo_frame)["staff_menu"]
    staff.camera_state, staff.camera_down_s = "lost", 31.0
    assert "check its cable" in said(render((1280, 720), staff))


def test_the_view_memory_times_the_cameras_absence() -> None:
    memory = ViewMemory()
    assert memory.camera_down_s(10.0, "ok") == 0.0
    assert memory.camera_down_s(11.0, "lost") == 0.0
    assert memory.camera_down_s(42.0, "lost") == 31.0
    assert memory.camera_down_s(43.0, "ok") == 0.0
    assert memory.camera_down_s(44.0, "lost") == 0.0  # a new absence starts again


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pause_shows_the_sessions_time_left_and_that_the_belt_still_moves(size, demo_frame):
    drawn = render(size, make_view(Screen.PAUSE, demo_frame))
    numbers = [d.text for d in drawn if d.kind == "number"]
    assert numbers == ["8:20"]  # the session's 500 s, not the block's 1:50
    text = said(drawn)
    assert "1:50" not in text and "left in session" in text
    assert "Hold the rails — the belt is still moving" in text
    # the block's name is on one line, never broken mid-phrase
    assert not any(d.text in ("Walk", "BACKWARD", "mph", "1 mph") for d in drawn)


def test_position_says_no_hold_still_to_a_walker_and_no_camera_words(demo_frame):
    for walking in (True, False):
        view = make_view(Screen.POSITION, demo_frame)
        view.side_view, view.detected_view = False, "front"
        view.walking = walking
        text = said(render((800, 480), view))
        assert "Hold still" not in text
        assert "view" not in text.lower() and "camera" not in text.lower()
        assert ("Keep walking" in text) == walking


def frame(index: int) -> Frame:
    return Frame(np.full((48, 64, 3), index, np.uint8), float(index), index)


def test_each_pose_is_drawn_on_the_frame_it_was_measured_on() -> None:
    memory = ViewMemory()
    config = BackstepConfig()
    controller = KioskController(member_id_digits=6)
    views = []
    for i in range(1, 8):
        # the pose lags three frames behind the camera, as at a low pose rate
        result = FrameResult(i - 3, float(i - 3), None, (64, 48)) if i > 3 else None
        views.append(
            build_view(
                now=float(i),
                config=config,
                controller=controller,
                facts=StatusFacts(camera="ok"),
                frame=frame(i),
                result=result,
                session=None,
                summary=None,
                staff=StaffView(),
                memory=memory,
            )
        )
    assert [v.frame_index for v in views] == [1, 2, 3, 1, 2, 3, 4]
    assert int(views[-1].frame[0, 0, 0]) == 4  # the image of frame 4, not the newest (7)
