"""A camera behind the treadmill: the member faces away, and their left is their left.

MediaPipe reports the nose and eyes as visible from behind too, and its 3D guess of front
and back is not reliable either (on the real front-view fixture, through the kiosk's zone
crop, it put the nose behind the ears in every frame). So where the camera stands behind the
member, the staff say so once (``posture.front_view_facing = "away"``); "auto" reads the face.
The synthetic walker is run with the face fully "visible" from behind, as MediaPipe reports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import PostureAnalyzer
from vision.metrics.settings import PostureConfig


def _last(walker: SyntheticWalker, fps: float, front: str = "auto", seconds: float = 4.0):
    analyzer = PostureAnalyzer(
        PostureConfig(front_view_facing=front), view="auto", frame_size=walker.p.frame_size
    )
    metrics = None
    for t, pose in walker.sequence(seconds, fps):
        metrics, _ = analyzer.update(t, pose)
    assert metrics is not None
    return metrics


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_a_camera_behind_the_member_sees_them_facing_away(fps: float) -> None:
    walker = SyntheticWalker(view="front", facing="away", rear_face_visibility=0.95)
    m = _last(walker, fps, front="away")
    assert m.view == "front" and m.facing == "away"


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_auto_reads_a_hidden_face_as_away_and_a_seen_one_as_camera(fps: float) -> None:
    assert _last(SyntheticWalker(view="front", facing="away"), fps).facing == "away"
    assert _last(SyntheticWalker(view="front", facing="camera"), fps).facing == "camera"


@pytest.mark.parametrize(("facing", "front"), [("away", "away"), ("camera", "auto")])
@pytest.mark.parametrize("lean", [-6.0, 6.0])
def test_a_lean_to_the_members_left_is_a_lean_to_their_left(
    facing: str, front: str, lean: float
) -> None:
    # lateral_lean_deg: + toward the member's own right, whichever way the camera looks.
    walker = SyntheticWalker(
        view="front", facing=facing, lateral_lean_deg=lean, rear_face_visibility=0.95
    )
    m = _last(walker, 30.0, front=front, seconds=2.0)
    assert m.lateral_lean_deg == pytest.approx(lean, abs=0.5)


@pytest.mark.slow
def test_the_real_front_view_member_faces_the_camera_through_the_kiosk_pipeline(
    model_path: Path,
) -> None:
    from support.clip_variants import frames, read_clip
    from support.paths import FIXTURES

    from kiosk.config.schema import BackstepConfig
    from vision.loop.pipeline import build_pipeline

    pipeline = build_pipeline(BackstepConfig(), model_path, use_media_time=True)
    try:
        facings = [
            pipeline.process(f).metrics.facing
            for f in frames(read_clip(FIXTURES / "single_person_front.mp4"))
        ]
    finally:
        pipeline.close()
    assert facings.count("camera") >= 45
