"""A camera behind the treadmill: the member faces away, and their left is their left.

MediaPipe reports the nose and eyes as visible from behind too, so the synthetic walker is
run with the face fully "visible" from behind (``rear_face_visibility=0.95``): visibility
alone would call this member "camera".
"""

from __future__ import annotations

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import PostureAnalyzer


def _last(walker: SyntheticWalker, fps: float, seconds: float = 4.0):
    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    metrics = None
    for t, pose in walker.sequence(seconds, fps):
        metrics, _ = analyzer.update(t, pose)
    assert metrics is not None
    return metrics


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_seen_from_behind_the_member_faces_away(fps: float) -> None:
    walker = SyntheticWalker(view="front", facing="away", rear_face_visibility=0.95)
    m = _last(walker, fps)
    assert m.view == "front" and m.facing == "away"


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_seen_from_the_front_the_member_faces_the_camera(fps: float) -> None:
    m = _last(SyntheticWalker(view="front", facing="camera"), fps)
    assert m.facing == "camera"


@pytest.mark.parametrize("facing", ["away", "camera"])
@pytest.mark.parametrize("lean", [-6.0, 6.0])
def test_a_lean_to_the_members_left_is_a_lean_to_their_left(facing: str, lean: float) -> None:
    # lateral_lean_deg: + toward the member's own right, whichever way the camera looks.
    walker = SyntheticWalker(
        view="front", facing=facing, lateral_lean_deg=lean, rear_face_visibility=0.95
    )
    m = _last(walker, 30.0, 2.0)
    assert m.lateral_lean_deg == pytest.approx(lean, abs=0.5)
    assert m.posture == "upright" or (m.posture == "leaning_side") == (abs(lean) >= 8)
