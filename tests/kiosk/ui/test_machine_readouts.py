"""The treadmill's and the strap's numbers on the session screen: live, stale, zones, none."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
import pytest
from support.screen_views import MACHINES, SIZE_PARAMS, make_view, session_view

from kiosk.flow.machine import Screen
from kiosk.session.views import MachineView
from kiosk.ui import theme as th
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import DrawnText, Theme

pytestmark = pytest.mark.usefixtures("pygame_display")


def strip_over_time(
    size: tuple[int, int], machine: MachineView | None, frame: np.ndarray
) -> tuple[list[list[DrawnText]], list[pygame.Surface]]:
    """Every text drawn in the top strip, turn by turn over 60 s, and each screen."""
    texts, surfaces = [], []
    for now in range(0, 60, 5):
        view = make_view(Screen.SESSION, frame)
        view.session = session_view(machine=machine)
        view.now = float(now)
        theme = Theme(*size)
        theme.recording = True
        surf = pygame.Surface(size)
        build_screens(theme)[Screen.SESSION].draw(surf, view)
        top = theme.layout.top()
        texts.append([d for d in theme.drawn if pygame.Rect(top).contains(pygame.Rect(d.rect))])
        surfaces.append(surf)
    return texts, surfaces


def said(turns: list[list[DrawnText]]) -> set[str]:
    return {d.text for turn in turns for d in turn}


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_the_belt_and_the_heart_take_every_other_turn_in_the_strip(size, demo_frame):
    turns, _ = strip_over_time(size, MACHINES["live"], demo_frame)
    seen = said(turns)
    # the longest wording that fits: "0.26 mi backward" / "0.26 mi back", "zone 3" / "Z3"
    assert {"Belt 2.1 mph", "Stride 20 in"} <= seen, seen
    assert any(t.startswith("0.26 mi back") for t in seen), seen
    assert any(t.startswith("128 bpm") and t.endswith(("3", "moderate")) for t in seen), seen
    # the posture numbers still come round between them
    assert {"86% upright", "94 steps/min"} <= seen, seen
    machine_turns = [i for i, t in enumerate(turns) if any("mph" in d.text for d in t[1:])]
    assert machine_turns and all(i % 2 == 0 for i in machine_turns)
    # the live numbers come round twice as often as the totals
    speed = sum(any(d.text.startswith("Belt") for d in t) for t in turns)
    distance = sum(any(" mi " in f"{d.text} " for d in t) for t in turns)
    assert speed == 2 * distance == 2, (speed, distance)


def test_km_h_shows_metres_and_kilometres(demo_frame):
    turns, _ = strip_over_time((1920, 1080), MACHINES["widest"], demo_frame)
    seen = said(turns)
    assert "Belt 12.5 km/h" in seen and "12.48 km backward" in seen, seen
    assert "Stride 1.27 m" in seen and any(t.startswith("188 bpm · zone 5") for t in seen), seen


def test_a_quiet_link_says_no_signal_and_never_its_last_number(demo_frame):
    turns, _ = strip_over_time((800, 480), MACHINES["stale"], demo_frame)
    seen = said(turns)
    notes = [d for turn in turns for d in turn if "signal" in d.text]
    assert {d.text for d in notes} >= {"Belt: no signal"}, seen
    assert any(d.text.startswith("Heart") for d in notes), seen
    assert all(d.colour == th.MUTED for d in notes)  # dimmed, not drawn as live
    assert not any(n in t for t in seen for n in ("2.1", "128", "0.26", "20 in")), seen


def test_the_zone_colour_and_icon_come_with_the_zone_and_only_then(demo_frame):
    def zone_pixels(machine: MachineView) -> int:
        turns, surfaces = strip_over_time((800, 480), machine, demo_frame)
        i = next(i for i, t in enumerate(turns) if any("bpm" in d.text for d in t))
        top = pygame.surfarray.array3d(surfaces[i])[:, : Theme(800, 480).layout.top_h]
        return int((np.abs(top - np.array(th.GOOD)).sum(axis=2) < 10).sum())

    with_zone = MACHINES["live"]
    without = MachineView("mph", 2.1, 412.0, 0.52, 1.0, False, 128, None, False)
    assert zone_pixels(with_zone) > 100  # the zone's tick, in the zone's colour
    assert zone_pixels(without) == 0
    turns, _ = strip_over_time((800, 480), without, demo_frame)
    assert "128 bpm" in said(turns) and not any("zone" in t for t in said(turns))


def test_without_a_treadmill_or_strap_the_strip_is_as_before(demo_frame):
    turns, _ = strip_over_time((800, 480), None, demo_frame)
    seen = said(turns)
    assert not any(("bpm" in t) or ("Belt" in t) or ("Stride" in t) for t in seen), seen
    assert {"86% upright", "94 steps/min", "Core 100"} <= seen
