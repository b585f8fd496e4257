"""The summary's take-away QR code and the welcome after check-in, on rendered screens."""

from __future__ import annotations

import cv2
import numpy as np
import pygame
import pytest
from support.screen_views import SIZES, TAKEAWAY_URL, make_view, variants

from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import Screen
from kiosk.session.plans import SessionPlan
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme
from kiosk.ui.welcome import change_since, welcome_view

pytestmark = pytest.mark.usefixtures("pygame_display")


def screen_pixels(size: tuple[int, int], view) -> tuple[np.ndarray, Theme]:
    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    build_screens(theme)[view.screen].draw(surf, view)
    return pygame.surfarray.array3d(surf).transpose(1, 0, 2).copy(), theme


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_summary_qr_code_decodes_to_the_session_link(size, demo_frame):
    for name in ("summary", "summary_page_4"):  # on every page the code stays
        rgb, theme = screen_pixels(size, variants(demo_frame)[name])
        text, _points, _ = cv2.QRCodeDetector().detectAndDecode(rgb)
        assert text == TAKEAWAY_URL, f"{name} at {size}: decoded {text!r}"
        _x, _y, w, h = theme.boxes["takeaway_qr"]
        assert w == h and w >= 0.4 * size[1]  # big enough for a phone at arm's length


def test_no_link_no_code(demo_frame):
    rgb, theme = screen_pixels((800, 480), variants(demo_frame)["summary_no_link"])
    assert "takeaway_qr" not in theme.boxes
    assert cv2.QRCodeDetector().detectAndDecode(rgb)[0] == ""


def test_the_welcome_names_the_member_and_the_plan(demo_frame):
    view = variants(demo_frame)["position_welcome"]
    theme = Theme(800, 480)
    theme.recording = True
    build_screens(theme)[Screen.POSITION].draw(pygame.Surface((800, 480)), view)
    said = " ".join(d.text for d in theme.drawn)
    assert "Welcome, Ada" in said and "Today: 2.5 min backward" in said
    assert "30 s more than last time" in said and "86% upright" in said
    later = make_view(Screen.POSITION, demo_frame)
    later.welcome, later.screen_seconds = view.welcome, 7.0  # then the mirror and the checks
    theme.begin_frame()
    build_screens(theme)[Screen.POSITION].draw(pygame.Surface((800, 480)), later)
    assert "Head to feet" in [d.text for d in theme.drawn]


def test_what_changed_and_why() -> None:
    plan = SessionPlan.from_config(BackstepConfig())
    minutes = plan.backward_s / 60
    assert change_since(plan, None).startswith("Your first session")
    grew = change_since(plan, {"backward_minutes": minutes - 1, "upright_share": 0.9})
    assert grew == "1 min more than last time: 90% upright last time"
    fell = change_since(plan, {"backward_minutes": minutes + 0.5, "upright_percent": 40.0})
    assert fell.startswith("30 s less than last time, to stand taller") and "40%" in fell
    same = change_since(plan, {"backward_minutes": minutes, "upright_percent": 70.0})
    assert same == "The same as last time, to build on 70% upright last time"
    guest = welcome_view("Guest", plan, None, guest=True)
    assert guest.name == "Welcome" and guest.change == ""
