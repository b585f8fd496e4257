"""The staff screen's placement check as drawn: collecting, judging, a report with its fixes."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
import pytest
from support.screen_views import standing_landmarks

from kiosk.flow.machine import KioskController, Screen
from kiosk.ui import theme as th
from kiosk.ui.placement_view import PlacementView
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import ViewState
from vision.placement.judge import PlacementLine

pytestmark = pytest.mark.usefixtures("pygame_display")

SIZES = [(800, 480), (1920, 1080)]
ZONE = (0.08, 0.04, 0.93, 0.99)

#: The lines of a badly placed camera (rolled, a front view where side is configured, dim).
BAD = (
    PlacementLine("whole body", "pass", "head to toe on 99% of frames"),
    PlacementLine(
        "view",
        "fail",
        "seen from the front on 97% of frames; config says side",
        "Put the camera to the member's side at hip height, or set camera.view = 'front'.",
    ),
    PlacementLine(
        "level",
        "fail",
        "rolled 8.1° (from the room's level edges)",
        "Turn the camera 8° clockwise (as you face the picture) until level.",
    ),
    PlacementLine(
        "light", "warn", "mean level 62 (dim)", "More light on the treadmill would help."
    ),
    PlacementLine("sharpness", "pass", "edge strength 410"),
    PlacementLine("pose rate", "pass", "14.8 pose frames per second"),
    PlacementLine("zone", "pass", "suggested from 20 s of walking"),
)
#: Nobody walked during the check: most lines fail or cannot be judged, no zone is offered.
NOBODY = (
    PlacementLine(
        "whole body",
        "fail",
        "no member was seen",
        "Walk on the belt during the check, inside the treadmill zone, in good light.",
    ),
    PlacementLine(
        "view", "warn", "not judged: no member seen", "Walk on the belt during the check."
    ),
    PlacementLine(
        "level",
        "warn",
        "not known: the picture has too few level or upright edges that agree",
        "Check the camera with a spirit level, or show it a door frame or a rail.",
    ),
    PlacementLine(
        "light",
        "fail",
        "brightness 14 of 255 (too dark)",
        "Light the treadmill: add a lamp on the camera's side.",
    ),
    PlacementLine(
        "sharpness",
        "fail",
        "blur 0.78 (0 sharp .. 1 blurred)",
        "Focus the lens and clean it; add light so the shutter is shorter.",
    ),
    PlacementLine(
        "pose rate",
        "fail",
        "4.2 pose frames/s",
        "Set model.backend = 'litert' or model.variant = 'lite'; close other programs.",
    ),
    PlacementLine("zone", "fail", "no walking seen", "Walk for 20 s over the whole belt."),
)
GOOD = tuple(PlacementLine(line.name, "pass", line.measured) for line in BAD)


def staff_controller(zone_ready: bool) -> KioskController:
    """A controller on the staff screen, unlocked, with the placement check open."""
    c = KioskController(staff_pin="0000")
    c.on_button("select", "hold", 0)
    for _ in range(4):
        c.on_button("select", "press", 1)
    assert c.staff.unlocked
    c.staff.menu_index = 2  # Check placement
    c.on_button("select", "press", 2)
    assert c.staff.checking_placement
    if zone_ready:
        c.on_placement_judged(dict(zip(("x0", "y0", "x1", "y1"), ZONE, strict=True)), 3)
    return c


def placement_views(frame: np.ndarray) -> dict[str, ViewState]:
    """Every state of the check the staff screen draws."""
    base = {"frame": frame, "frame_index": 1, "landmarks": standing_landmarks()}
    return {
        "collecting": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(False),
            placement=PlacementView("collecting", progress=0.4),
            **base,
        ),
        "judging": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(False),
            placement=PlacementView("judging", progress=1.0),
            **base,
        ),
        "report_fail": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(True),
            placement=PlacementView("report", 1.0, lines=BAD, zone=ZONE),
            **base,
        ),
        "report_nobody": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(False),
            placement=PlacementView(
                "report", 1.0, lines=NOBODY, error="verdicts not kept: disk full"
            ),
            **base,
        ),
        "report_broken": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(False),
            placement=PlacementView("report", 1.0, error="the check failed: out of memory"),
            **base,
        ),
        "report_pass": ViewState(
            screen=Screen.STAFF,
            controller=staff_controller(True),
            placement=PlacementView("report", 1.0, lines=GOOD, zone=ZONE),
            **base,
        ),
    }


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    r = pygame.Rect(a).clip(pygame.Rect(b))
    return r.w * r.h


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "state",
    ["collecting", "judging", "report_fail", "report_nobody", "report_broken", "report_pass"],
)
def test_placement_screens_are_legible_unclipped_and_apart(state, size, demo_frame, tmp_path):
    view = placement_views(demo_frame)[state]
    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    build_screens(theme)[Screen.STAFF].draw(surf, view)
    pygame.image.save(surf, str(tmp_path / f"placement_{state}_{size[0]}x{size[1]}.png"))
    drawn = list(theme.drawn)
    texts = [d.text for d in drawn]
    floor = theme.cap(th.STAFF_MIN_CAP)
    margin = theme.px(0.01)
    screen_rect = pygame.Rect(margin, 0, size[0] - 2 * margin, size[1])
    for d in drawn:
        assert d.size >= floor, f"{d.text!r} at {d.size}px < {floor}px"
        ratio = th.contrast(d.colour, d.background)
        assert ratio >= th.MIN_CONTRAST, f"{d.text!r}: contrast {ratio:.2f} on {d.background}"
        assert screen_rect.contains(pygame.Rect(d.rect)), f"{d.text!r} {d.rect} is clipped"
        assert not d.text.endswith("…") or d.text.startswith("Waiting"), f"{d.text!r} was cut"
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert overlap(a.rect, b.rect) == 0, f"{a.text!r} overlaps {b.text!r}"
    for name, box in theme.boxes.items():
        for d in drawn:
            assert overlap(d.rect, box) == 0, f"{d.text!r} runs into the {name}"
    joined = " ".join(texts)
    if state == "collecting":
        assert "8 of 20 s watched" in joined
    if state == "report_fail":
        # every failed line is drawn with its fix, whatever the screen size
        assert "Placement: 2 to fix" in texts
        assert "Turn the camera 8°" in joined and "camera.view" in joined
        assert "Save zone" in texts  # START's hint once a zone is offered
    if state == "report_nobody":
        # what failed comes first, and the first fix is always drawn; no zone, no START
        assert "Placement: 5 to fix" in texts
        assert "whole body: no member was seen" in texts
        assert any(t.startswith("Fix: Walk on the belt") for t in texts)
        assert "Save zone" not in texts
    if state == "report_broken":
        assert "Placement: not judged" in texts
        assert "the check failed: out of memory" in texts
    if state == "report_pass":
        assert "Placement: all lines pass" in texts
        assert not any(t.startswith("Fix:") for t in texts)


def test_each_verdict_has_its_own_shape_and_colour():
    from kiosk.ui.screens.placement import VERDICT_LOOK

    assert VERDICT_LOOK["pass"] == ("tick", th.GOOD)
    assert VERDICT_LOOK["warn"] == ("triangle", th.CAUTION)
    assert VERDICT_LOOK["fail"] == ("octagon", th.FAULT)
