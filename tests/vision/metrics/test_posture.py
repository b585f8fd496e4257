"""Posture angles, facing and view from synthetic landmarks with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from support.synthetic_walker import SyntheticWalker, mirror_pose

from vision.metrics.camera_view import ViewDetector, width_ratio
from vision.metrics.facing import FacingTracker, facing_of
from vision.metrics.geometry import to_landmarks
from vision.metrics.posture import posture_sample


def _lm(walker: SyntheticWalker, t: float = 0.0):
    pose = walker.pose_at(t)
    return to_landmarks(pose.image, pose.world, walker.p.frame_size, 0.5)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("lean", [-15.0, 0.0, 7.5, 25.0])
def test_trunk_lean_is_positive_toward_the_face_in_side_view(facing: str, lean: float) -> None:
    walker = SyntheticWalker(view="side", facing=facing, trunk_lean_deg=lean)
    lm = _lm(walker, 0.3)
    s = posture_sample(lm, "side", facing_of(lm, "side"))
    assert s.trunk_lean_deg == pytest.approx(lean, abs=1e-6)
    assert s.lateral_lean_deg is None and s.hip_tilt_deg is None


def test_head_forward_is_the_neck_line_from_vertical() -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=5, head_forward_deg=12)
    lm = _lm(walker)
    s = posture_sample(lm, "side", "left")
    assert s.head_forward_deg == pytest.approx(17.0, abs=1e-6)


@pytest.mark.parametrize("facing", ["camera", "away"])
def test_lateral_lean_and_hip_tilt_are_seen_from_the_front(facing: str) -> None:
    walker = SyntheticWalker(view="front", facing=facing, lateral_lean_deg=9, hip_tilt_deg=4)
    lm = _lm(walker)
    assert facing_of(lm, "front") == facing
    s = posture_sample(lm, "front", facing)
    assert s.lateral_lean_deg == pytest.approx(9.0, abs=1e-6)
    assert s.hip_tilt_deg == pytest.approx(4.0, abs=1e-6)
    assert s.trunk_lean_deg is None and s.head_forward_deg is None


def test_angles_use_square_pixels_so_a_portrait_frame_reports_the_true_lean() -> None:
    walker = SyntheticWalker(view="side", facing="right", trunk_lean_deg=20, frame_size=(360, 640))
    pose = walker.pose_at(0.0)
    right = to_landmarks(pose.image, pose.world, (360, 640), 0.5)
    squashed = to_landmarks(pose.image, pose.world, (1, 1), 0.5)
    assert posture_sample(right, "side", "right").trunk_lean_deg == pytest.approx(20, abs=1e-6)
    # Normalised units stretch a portrait frame's x by 640/360: 20 deg would read as 33.
    squashed_lean = posture_sample(squashed, "side", "right").trunk_lean_deg
    assert squashed_lean is not None and squashed_lean > 30


@pytest.mark.parametrize("facing", ["left", "right"])
def test_facing_comes_from_the_body_not_from_motion(facing: str) -> None:
    # Walking backwards off the treadmill: the hips travel away from the face at 1 m/s.
    walker = SyntheticWalker(view="side", facing=facing, drift_speed=-1.0)
    tracker = FacingTracker()
    seen = {tracker.update(_lm(walker, t / 30), "side") for t in range(60)}
    assert seen == {facing}


def test_mirroring_flips_facing() -> None:
    walker = SyntheticWalker(view="side", facing="right")
    pose = walker.pose_at(0.2)
    lm = to_landmarks(mirror_pose(pose).image, None, walker.p.frame_size, 0.5)
    assert facing_of(lm, "side") == "left"


def test_width_ratio_separates_side_and_front_views() -> None:
    side = width_ratio(_lm(SyntheticWalker(view="side")))
    front = width_ratio(_lm(SyntheticWalker(view="front", facing="camera")))
    assert side is not None and front is not None
    assert side < 0.3 < 0.45 < front


def test_auto_view_needs_several_frames_before_switching() -> None:
    side = _lm(SyntheticWalker(view="side"))
    front = _lm(SyntheticWalker(view="front", facing="camera"))
    det = ViewDetector("auto", switch_frames=5)
    assert det.update(side) == "side"
    views = [det.update(front) for _ in range(6)]
    assert views[:4] == ["side"] * 4 and views[-1] == "front"
    assert det.update(side) == "front"  # one contrary frame changes nothing


def test_fixed_view_ignores_body_proportions() -> None:
    det = ViewDetector("front")
    assert det.update(_lm(SyntheticWalker(view="side"))) == "front"


def test_missing_landmarks_give_unknown_angles_not_nan() -> None:
    walker = SyntheticWalker(view="side", facing="right")
    pose = walker.pose_at(0.0)
    pose.image[[11, 12], :2] = np.nan
    pose.image[23, 3] = 0.0
    lm = to_landmarks(pose.image, pose.world, walker.p.frame_size, 0.5)
    s = posture_sample(lm, "side", "right")
    assert s.trunk_lean_deg is None and s.trunk_image_deg is None
