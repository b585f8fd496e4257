"""Properties that must hold for any member, camera roll, mirror and landmark loss."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.synthetic_walker import SyntheticWalker, mirror_pose, rotate_pose

from vision.metrics.analyzer import PostureAnalyzer
from vision.types import Pose

FRAME_SIZES = st.sampled_from([(640, 480), (360, 640), (1280, 720)])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _lean(pose: Pose, frame_size: tuple[int, int], view: str = "side") -> dict:
    return PostureAnalyzer(view=view, frame_size=frame_size).update(0.0, pose)[0]


@SETTINGS
@given(
    facing=st.sampled_from(["left", "right"]),
    lean=st.floats(-20, 30),
    theta=st.floats(-25, 25),
    t=st.floats(0, 3),
    frame_size=FRAME_SIZES,
)
def test_rolling_the_camera_by_theta_changes_trunk_lean_by_theta(
    facing: str, lean: float, theta: float, t: float, frame_size: tuple[int, int]
) -> None:
    walker = SyntheticWalker(view="side", facing=facing, trunk_lean_deg=lean, frame_size=frame_size)
    pose = walker.pose_at(t)
    before = _lean(pose, frame_size).trunk_lean_deg
    after = _lean(rotate_pose(pose, theta, frame_size), frame_size).trunk_lean_deg
    # Turning the image clockwise tips a member facing right toward their face (+theta),
    # and one facing left away from it (-theta).
    sign = 1.0 if facing == "right" else -1.0
    assert before is not None and after is not None
    assert math.isclose(after - before, sign * theta, abs_tol=3.0)


@SETTINGS
@given(
    facing=st.sampled_from(["left", "right"]),
    lean=st.floats(-20, 30),
    t=st.floats(0, 3),
    noise=st.floats(0, 1.5),
    frame_size=FRAME_SIZES,
)
def test_mirroring_flips_facing_and_keeps_the_size_of_the_lean(
    facing: str, lean: float, t: float, noise: float, frame_size: tuple[int, int]
) -> None:
    walker = SyntheticWalker(
        view="side", facing=facing, trunk_lean_deg=lean, noise_px=noise, frame_size=frame_size
    )
    pose = walker.pose_at(t)
    m = _lean(pose, frame_size)
    mm = _lean(mirror_pose(pose), frame_size)
    assert {m.facing, mm.facing} == {"left", "right"}
    # The analyzer rounds to 0.01 deg, so two equal leans rounded on either side of a half
    # step differ by one step: the tolerance is wider than the rounding step, not equal to it.
    assert math.isclose(abs(m.trunk_lean_deg), abs(mm.trunk_lean_deg), abs_tol=0.015)


@SETTINGS
@given(
    drop=st.lists(st.integers(0, 32), min_size=1, max_size=33, unique=True),
    how=st.sampled_from(["nan", "invisible", "far-away"]),
    view=st.sampled_from(["side", "front", "auto"]),
)
def test_missing_landmarks_give_none_never_nan(drop: list[int], how: str, view: str) -> None:
    walker = SyntheticWalker(view="side" if view != "front" else "front", facing="right")
    analyzer = PostureAnalyzer(view=view, frame_size=walker.p.frame_size)
    for t, pose in walker.sequence(0.5):
        if how == "nan":
            pose.image[drop, :3] = np.nan
            pose.world[drop] = np.nan
        elif how == "invisible":
            pose.image[drop, 3] = 0.0
        else:
            pose.image[drop, :2] = 1e9
        metrics, _ = analyzer.update(t, pose)
        for k, v in metrics.to_dict().items():
            assert v is None or isinstance(v, str) or math.isfinite(v), k
    if how == "nan" and {11, 12, 23, 24} & set(drop):
        assert metrics.trunk_lean_deg is None
        assert metrics.posture == "low_confidence"


@settings(max_examples=15, deadline=None)
@given(
    facing=st.sampled_from(["left", "right"]),
    lean=st.floats(-5, 5),
    cadence=st.floats(70, 120),
    noise=st.floats(0, 2),
    seed=st.integers(0, 1000),
)
def test_an_upright_walker_is_upright_at_least_90_percent_of_frames(
    facing: str, lean: float, cadence: float, noise: float, seed: int
) -> None:
    walker = SyntheticWalker(
        view="side",
        facing=facing,
        trunk_lean_deg=lean,
        sagittal_amp_deg=2.0,
        cadence_spm=cadence,
        noise_px=noise,
        seed=seed,
    )
    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    states = [analyzer.update(t, pose)[0].posture for t, pose in walker.sequence(5)]
    assert states.count("upright") >= 0.9 * len(states)


@settings(max_examples=15, deadline=None)
@given(
    facing=st.sampled_from(["left", "right"]),
    lean=st.floats(31, 40),
    noise=st.floats(0, 2),
    seed=st.integers(0, 1000),
)
def test_a_member_bent_over_30_degrees_is_flagged(
    facing: str, lean: float, noise: float, seed: int
) -> None:
    walker = SyntheticWalker(
        view="side", facing=facing, trunk_lean_deg=lean, noise_px=noise, seed=seed
    )
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    states = [analyzer.update(t, pose)[0].posture for t, pose in walker.sequence(2)]
    assert states.count("leaning_forward") >= 0.9 * len(states)
