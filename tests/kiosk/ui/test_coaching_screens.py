"""The block-change countdown and the safety screens, drawn at both screen sizes.

Each is drawn with text recording on, checked for what it says, and saved as a PNG (to
``$BACKSTEP_SHOTS`` when set, else a temporary folder) so a person can look at it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest
from support.screen_views import make_view, session_view

from kiosk.flow.machine import Screen
from kiosk.flow.types import VisionSnapshot
from kiosk.session.cue_catalog import ESCALATED_CUES, URGENT_CUES
from kiosk.session.views import CueView, TransitionView
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

pytestmark = pytest.mark.usefixtures("pygame_display")

SIZES = [(800, 480), (1920, 1080)]
IN_PLACE = VisionSnapshot(person=True, whole_body=True, in_zone=True, drift=0.5, posture="upright")
PAST_END = VisionSnapshot(person=True, whole_body=True, in_zone=True, drift=0.9, posture="upright")


def shots_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("BACKSTEP_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    return out


def draw(screen: Screen, view, size, name: str, out: Path) -> list[str]:
    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    build_screens(theme)[screen].draw(surf, view)
    pygame.image.save(surf, str(out / f"{name}_{size[0]}x{size[1]}.png"))
    return [d.text for d in theme.drawn]


def safety_view(frame, reason: str, direction: str, snaps: list[tuple[VisionSnapshot, float]]):
    view = make_view(Screen.SAFETY, frame)
    view.safety_reason = reason
    c = view.controller
    c.screen = Screen.SESSION
    c._session_active = True
    c.on_vision_event("safety", {"reason": reason, "direction": direction}, 10.0)
    for snap, t in snaps:
        c.on_vision(snap, t)
    return view


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_far_end_stop_says_what_happened_and_which_way_to_step(size, demo_frame, tmp_path):
    out = shots_dir(tmp_path)
    # still past the limit: never "back in place", even with the whole body in view
    view = safety_view(demo_frame, "drift_back", "backward", [(PAST_END, 10.1), (PAST_END, 14)])
    texts = draw(Screen.SAFETY, view, size, "safety_drift_back_backward", out)
    assert "You reached the end of the belt" in texts
    assert "Step back toward the console" in texts
    assert not any("back in place" in t for t in texts)
    assert view.controller.on_button("start", "press", 14.5) == []
    fwd = safety_view(demo_frame, "drift_back", "forward", [(PAST_END, 10.1)])
    texts = draw(Screen.SAFETY, fwd, size, "safety_drift_back_forward", out)
    assert "Walk up toward the console" in texts
    # back inside the limit, held 1.5 s: now it may say so, and START resumes
    back = safety_view(
        demo_frame, "drift_back", "backward", [(PAST_END, 10.1), (IN_PLACE, 11), (IN_PLACE, 12.6)]
    )
    texts = draw(Screen.SAFETY, back, size, "safety_back_in_place", out)
    assert "You're back in place" in texts
    kinds = [type(e).__name__ for e in back.controller.on_button("start", "press", 13)]
    assert kinds == ["AlertOff", "ResumeSession"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("reason", ["fall", "member_lost"])
def test_other_safety_stops_say_what_happened(size, reason, demo_frame, tmp_path):
    out = shots_dir(tmp_path)
    view = safety_view(demo_frame, reason, "backward", [(VisionSnapshot(), 10.5)])
    texts = draw(Screen.SAFETY, view, size, f"safety_{reason}", out)
    assert "Hold the rails" in texts
    assert not any("back in place" in t for t in texts)
    assert any(t in texts for t in ("You may have lost your balance", "We can't see you"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_countdown_overlay_says_what_to_do_in_order(size, demo_frame, tmp_path):
    out = shots_dir(tmp_path)
    view = make_view(Screen.SESSION, demo_frame)
    view.cue = CueView(
        "Hold the rails · slow the belt to 1 mph · turn to face the back", "info", "info"
    )
    view.session = session_view(
        transition=TransitionView(
            3,
            "Next: Backward",
            ["Hold the rails", "slow the belt to 1 mph", "turn to face the back"],
            "Walk BACKWARD · 1 mph",
        )
    )
    texts = draw(Screen.SESSION, view, size, "transition_countdown", out)
    assert "3" in texts and "Next: Backward" in texts
    assert "3. Turn to face the back" in texts


def countdowns_of_a_program() -> list[tuple[str, TransitionView, str]]:
    """(name, overlay, banner text) of every countdown of a real session run's program."""
    from kiosk.config.schema import BackstepConfig, ProgramBlock
    from kiosk.session.plans import SessionPlan
    from kiosk.session.running import SessionRun
    from kiosk.session.transitions import transition_text

    blocks = [
        ProgramBlock(kind="warmup", minutes=0.5, speed_mph=2.0),
        ProgramBlock(kind="backward", minutes=0.5, speed_mph=1.0),
        ProgramBlock(kind="backward", minutes=0.5, speed_mph=1.5, incline_percent=5),
        ProgramBlock(kind="rest", minutes=0.5),
        ProgramBlock(kind="cooldown", minutes=0.5, speed_mph=1.5),
    ]
    run = SessionRun(BackstepConfig(), SessionPlan.from_blocks("p", blocks), "Guest")
    run.start(0.0)
    names = ["to_backward", "pace_change", "to_rest", "rest_to_forward"]
    out = []
    for change in range(4):
        t = 30.0 * (change + 1) - 3.0  # 3 s before each change
        run.update(t, None, [])
        view = run.view(t + 1.0).transition
        assert view is not None, change
        out.append((names[change], view, transition_text(tuple(view.steps))))
    return out


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_countdown_of_a_program_draws(size, demo_frame, tmp_path):
    out = shots_dir(tmp_path)
    overlays = countdowns_of_a_program()
    for name, overlay, banner in overlays:
        view = make_view(Screen.SESSION, demo_frame)
        view.cue = CueView(banner, "info", "info", "transition")
        view.session = session_view(transition=overlay)
        texts = draw(Screen.SESSION, view, size, f"transition_{name}", out)
        assert overlay.title in texts and str(overlay.seconds_left) in texts
    steps = {name: overlay.steps for name, overlay, _ in overlays}
    assert steps["pace_change"] == [
        "Hold the rails",
        "speed the belt up to 1.5 mph",
        "set the incline to 5%",
    ]
    assert steps["to_rest"] == ["Hold the rails", "stop the belt"]
    assert steps["rest_to_forward"] == [
        "Hold the rails",
        "face the console",
        "start the belt at 1 mph",
        "then 1.5 mph",
    ]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_escalated_and_urgent_cues_look_different(size, demo_frame, tmp_path):
    out = shots_dir(tmp_path)
    pixels, fills = [], []
    for cue in (ESCALATED_CUES["leaning_back"], URGENT_CUES["leaning_back"]):
        view = make_view(Screen.SESSION, demo_frame)
        view.cue = CueView(cue.text, cue.colour_role, cue.icon, cue.level)
        draw(Screen.SESSION, view, size, f"cue_{cue.level}", out)
        img = pygame.image.load(str(out / f"cue_{cue.level}_{size[0]}x{size[1]}.png"))
        theme = Theme(*size)
        bx, by, bw, bh = theme.layout.banner()
        pixels.append(img.get_at((bx + bw - 2, by + 2))[:3])
        fills.append(img.get_at((bx + bw // 2, by + bh - bh // 5))[:3])
    assert pixels[0] != pixels[1]  # the urgent cue's heavy frame
    assert fills[0] != fills[1]  # and its own colour
