"""The placement check's parts without the pose model: roll from edges, light, blur, lens maths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.clip_variants import read_clip
from support.paths import FIXTURES
from support.placement_variants import blurred, darkened, rolled

from vision.placement import image_quality as iq
from vision.placement.judge import MemberFrame, judge_console, judge_framing, judge_roll
from vision.placement.lens import LENSES, best_placement, place
from vision.placement.roll import RollEstimate, estimate_roll


@pytest.fixture(scope="module")
def gym_frames() -> list[np.ndarray]:
    return read_clip(FIXTURES / "retro_walk_gym.mp4")[::17]


@pytest.mark.parametrize("degrees", [-3.0, 2.0, 8.0])
def test_roll_is_read_from_the_gym_walls_edges(gym_frames, degrees: float) -> None:
    readings = [
        r for f in gym_frames if (r := estimate_roll(rolled(f, degrees)).roll_deg) is not None
    ]
    level = [r for f in gym_frames if (r := estimate_roll(rolled(f, 0.0)).roll_deg) is not None]
    # the wall's base and its block courses are seen on most pictures (the member hides some)
    assert len(readings) >= len(gym_frames) / 2 and len(level) >= len(gym_frames) / 2
    # within 1°, half the ±2° level limit, with the member's own straight limbs left in here
    assert abs(float(np.median(readings)) - degrees) < 1.0, readings
    assert abs(float(np.median(level))) < 0.5, level


def test_a_picture_with_no_straight_edges_has_no_roll(gym_frames) -> None:
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 255, gym_frames[0].shape, dtype=np.uint8)
    assert estimate_roll(blurred(noise, 3.0)).roll_deg is None


def test_perspective_edges_that_disagree_leave_the_roll_unknown() -> None:
    estimates = [RollEstimate(5.5, 17, "edges", spread_deg=8.5)] * 6
    line = judge_roll(estimates)
    assert line.verdict == "warn" and "spirit level" in line.fix


def test_darkening_and_blurring_move_the_measures_past_their_limits(gym_frames) -> None:
    frame = gym_frames[0]
    assert iq.DARK_WARN < iq.mean_luma(frame) < iq.BRIGHT_WARN
    assert iq.mean_luma(darkened(frame)) < iq.DARK_FAIL
    assert iq.blur_effect(frame) < iq.BLUR_WARN
    assert iq.blur_effect(blurred(frame)) >= iq.BLUR_FAIL


def _standing(top: float, bottom: float) -> np.ndarray:
    """Landmarks of an upright figure from nose height ``top`` to feet ``bottom``."""
    lm = np.zeros((33, 4))
    lm[:, 0] = 0.5
    lm[:, 3] = 1.0
    span = bottom - top
    lm[:11, 1] = top
    lm[11:23, 1] = top + 0.15 * span
    lm[23:27, 1] = top + 0.5 * span
    lm[27:, 1] = bottom
    return lm


def test_framing_names_the_side_the_body_leaves_the_picture() -> None:
    inside = [MemberFrame(i / 30, _standing(0.15, 0.9), 0.15) for i in range(30)]
    assert judge_framing(inside, 30).verdict == "pass"
    head_out = [MemberFrame(i / 30, _standing(0.04, 0.9), 0.15) for i in range(30)]
    line = judge_framing(head_out, 30)
    assert line.verdict == "fail" and "top" in line.measured and "raise the camera" in line.fix


def test_lens_distances_cover_a_tall_member_and_the_belt() -> None:
    for lens in LENSES:
        for portrait in (False, True):
            p = place(lens, portrait=portrait)
            assert p.covers_height_m >= 1.9 * 1.16 + 0.0 - 1e-9
            assert p.covers_width_m >= 1.55 * 1.16 - 1e-9
    wide = best_placement(next(x for x in LENSES if "Wide" in x.name))
    standard = best_placement(LENSES[0])
    assert wide.distance_m < standard.distance_m
    # the numbers the setup guide prints
    assert math.isclose(standard.distance_m, 2.40, abs_tol=0.01) and standard.portrait


def _walk(facings: list[str | None], fps: float = 10.0) -> list[MemberFrame]:
    return [MemberFrame(i / fps, _standing(0.15, 0.9), 0.15, f) for i, f in enumerate(facings)]


def test_the_console_is_on_the_side_a_backward_walker_turns_their_back_to() -> None:
    # 3 s at 10 fps facing the picture's right, one glance left: the console is on the left
    walk = _walk(["right"] * 25 + ["left"] + ["right"] * 4)
    line = judge_console(walk, "auto")
    assert line.verdict == "warn" and "picture's left" in line.measured
    assert "safety.console_side = 'left'" in line.fix
    assert judge_console(walk, "left").verdict == "pass"
    wrong = judge_console(walk, "right")
    assert wrong.verdict == "fail" and "Set safety.console_side = 'left'" in wrong.fix


def test_the_console_is_not_guessed_from_a_short_or_mixed_walk() -> None:
    short = judge_console(_walk(["left"] * 15), "auto")  # 1.4 s
    assert short.verdict == "warn" and "not read" in short.measured
    mixed = judge_console(_walk(["left", "right", "right"] * 10), "left")  # 67 % one way
    assert mixed.verdict == "warn" and "not read" in mixed.measured
    front = judge_console(_walk(["camera"] * 40), "auto")  # a front view has no image side
    assert front.verdict == "warn" and "not read" in front.measured
