"""Real MediaPipe landmarks on the fixture clip: a man seen from the front leans far sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.metrics.analyzer import PostureAnalyzer
from vision.types import Frame, FrameMetrics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clip_metrics(single_person_clip: Path, model_path: Path) -> list[FrameMetrics]:
    import cv2

    from vision.pose.estimator import MediaPipePoseEstimator
    from vision.settings import ModelConfig

    cap = cv2.VideoCapture(str(single_person_clip))
    analyzer = PostureAnalyzer(view="auto")
    rows: list[FrameMetrics] = []
    try:
        with MediaPipePoseEstimator(model_path, ModelConfig()) as estimator:
            i = 0
            while True:
                ok, bgr = cap.read()
                if not ok:
                    break
                frame = Frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), i / 30, i, i / 30)
                poses = estimator.detect(frame)
                metrics, _ = analyzer.update(i / 30, poses[0] if poses else None, frame.size)
                rows.append(metrics)
                i += 1
    finally:
        cap.release()
    assert len(rows) == 50
    return rows


def test_the_camera_is_seen_to_be_in_front_of_the_member(clip_metrics: list[FrameMetrics]) -> None:
    views = [m.view for m in clip_metrics]
    facings = [m.facing for m in clip_metrics]
    assert views.count("front") >= 45
    assert facings.count("camera") >= 45


def test_the_sideways_lean_grows_large(clip_metrics: list[FrameMetrics]) -> None:
    early = [abs(m.lateral_lean_deg) for m in clip_metrics[:4]]
    leaning = [abs(m.lateral_lean_deg) for m in clip_metrics[15:32]]
    assert max(early) < 8
    assert min(leaning) > 25 and max(leaning) > 3 * max(early) + 15


def test_standing_is_upright_and_the_far_lean_is_leaning_side(
    clip_metrics: list[FrameMetrics],
) -> None:
    assert [m.posture for m in clip_metrics[:4]] == ["upright"] * 4
    assert all(m.posture == "leaning_side" for m in clip_metrics[12:33])


def test_side_view_metrics_stay_unknown_in_a_front_view(clip_metrics: list[FrameMetrics]) -> None:
    assert all(m.trunk_lean_deg is None for m in clip_metrics if m.view == "front")
