"""PostureAnalyzer end to end on synthetic walkers; the standing baseline."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import METRIC_KEYS, PostureAnalyzer
from vision.metrics.baseline import Baseline, BaselineCollector
from vision.metrics.settings import PostureConfig
from vision.types import Pose


def _finite_or_none(metrics: dict) -> bool:
    return all(
        v is None or isinstance(v, str) or (isinstance(v, float | int) and math.isfinite(v))
        for v in metrics.to_dict().values()
    )


def test_metrics_have_exactly_the_documented_keys() -> None:
    walker = SyntheticWalker(facing="right")
    metrics, _ = PostureAnalyzer(frame_size=walker.p.frame_size).update(0.0, walker.pose_at(0))
    assert tuple(metrics.to_dict()) == METRIC_KEYS


def test_a_side_view_walker_reports_its_lean_and_nothing_it_cannot_see() -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=6.0)
    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    metrics: dict = {}
    for t, pose in walker.sequence(6):
        metrics, _ = analyzer.update(t, pose)
    assert metrics.view == "side" and metrics.facing == "left"
    assert metrics.trunk_lean_deg == pytest.approx(6.0, abs=0.01)
    assert metrics.lateral_lean_deg is None and metrics.hip_tilt_deg is None
    assert metrics.posture == "upright"
    assert json.dumps(metrics.to_dict())  # JSON-ready


def test_no_person_gives_no_person_and_unknown_metrics() -> None:
    metrics, events = PostureAnalyzer().update(0.0, None)
    assert metrics.posture == "no_person"
    assert all(getattr(metrics, k) is None for k in METRIC_KEYS if k not in ("posture", "view"))
    assert events == []


def test_hidden_trunk_is_low_confidence() -> None:
    walker = SyntheticWalker(facing="right")
    pose = walker.pose_at(0.0)
    pose.image[[11, 12, 23, 24], 3] = 0.1
    metrics, _ = PostureAnalyzer(frame_size=walker.p.frame_size).update(0.0, pose)
    assert metrics.posture == "low_confidence"
    assert metrics.trunk_lean_deg is None


@pytest.mark.parametrize(
    "pose",
    [
        Pose(image=np.full((33, 4), np.nan), world=np.full((33, 3), np.nan)),
        Pose(image=np.zeros((33, 4)), world=np.zeros((33, 3))),
        Pose(image=np.full((33, 4), 5.0), world=np.full((33, 3), 5.0)),
        Pose(image=np.zeros((0, 4)), world=np.zeros((0, 3))),
    ],
    ids=["all-nan", "all-zero", "out-of-frame", "empty"],
)
def test_broken_landmarks_never_raise_or_leak_nan(pose: Pose) -> None:
    analyzer = PostureAnalyzer()
    for i in range(5):
        metrics, _ = analyzer.update(i / 30, pose)
        assert _finite_or_none(metrics)


def test_missing_landmarks_and_noise_never_leak_nan() -> None:
    walker = SyntheticWalker(facing="right", noise_px=2.0, missing_prob=0.2, seed=7)
    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    for t, pose in walker.sequence(5):
        metrics, events = analyzer.update(t, pose)
        assert _finite_or_none(metrics)
        assert json.dumps([e.to_dict() for e in events])


def test_losing_the_member_clears_active_faults_and_raises_member_lost() -> None:
    walker = SyntheticWalker(facing="right", trunk_lean_deg=40)
    analyzer = PostureAnalyzer(frame_size=walker.p.frame_size)
    events = []
    for t, pose in walker.sequence(3):
        events += analyzer.update(t, pose)[1]
    for i in range(90):
        events += analyzer.update(3.0 + i / 30, None)[1]
    kinds = [(e.kind, e.data.get("fault") or e.data.get("reason")) for e in events]
    assert ("fault", "leaning_forward") in kinds
    assert ("fault_cleared", "leaning_forward") in kinds
    assert ("safety", "member_lost") in kinds


def test_reset_forgets_the_session_but_keeps_the_baseline() -> None:
    walker = SyntheticWalker(facing="right")
    analyzer = PostureAnalyzer(frame_size=walker.p.frame_size)
    b = Baseline(trunk_lean_deg=-3.0)
    analyzer.set_baseline(b)
    for t, pose in walker.sequence(5):
        analyzer.update(t, pose)
    analyzer.reset()
    metrics, _ = analyzer.update(0.0, walker.pose_at(0))
    assert metrics.cadence_spm is None
    assert analyzer.baseline is b


def test_set_incline_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        PostureAnalyzer().set_incline(-1)
    with pytest.raises(ValueError):
        PostureAnalyzer().set_incline(float("nan"))


def test_baseline_is_the_standing_posture() -> None:
    walker = SyntheticWalker(view="side", facing="right", walking=False, trunk_lean_deg=-8.0)
    collector = BaselineCollector(3.0, frame_size=walker.p.frame_size)
    for t, pose in walker.sequence(2.0):
        collector.add(t, pose)
    assert 0.6 < collector.progress < 0.7 and not collector.is_done and collector.result() is None
    for t, pose in walker.sequence(4.0)[60:]:
        collector.add(t, pose)
    b = collector.result()
    assert collector.is_done and b is not None
    assert b.view == "side" and b.facing == "right"
    assert b.trunk_lean_deg == pytest.approx(-8.0, abs=0.01)
    assert b.lateral_lean_deg is None


def test_moving_restarts_the_baseline() -> None:
    still = SyntheticWalker(view="side", facing="right", walking=False)
    moving = SyntheticWalker(view="side", facing="right", walking=False, drift_speed=0.3)
    collector = BaselineCollector(3.0, frame_size=still.p.frame_size)
    for t, pose in still.sequence(2.5):
        collector.add(t, pose)
    for t, pose in moving.sequence(2.0):
        collector.add(2.5 + t, pose)
    assert collector.progress < 0.5


def test_baseline_round_trips_through_a_dict_and_rejects_bad_numbers() -> None:
    b = Baseline(
        view="front", facing="camera", lateral_lean_deg=1.25, hip_tilt_deg=-2.0, samples=90
    )
    again = Baseline.from_dict(json.loads(json.dumps(b.to_dict())))
    assert again == b
    with pytest.raises(ValueError, match="trunk_lean_deg"):
        Baseline.from_dict({"trunk_lean_deg": "upright"})
    assert Baseline.from_dict({"unknown_key": 1}) == Baseline()


def test_the_baseline_removes_a_members_landmark_offset() -> None:
    # This member's hip->shoulder line sits 9 deg behind vertical when upright (as on real
    # footage); without a baseline that reads as upright, with one the relative limit bites.
    stand = SyntheticWalker(view="side", facing="left", walking=False, trunk_lean_deg=-9.0)
    collector = BaselineCollector(3.0, frame_size=stand.p.frame_size)
    for t, pose in stand.sequence(3.5):
        collector.add(t, pose)
    baseline = collector.result()
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=3.0)
    analyzer = PostureAnalyzer(PostureConfig(), frame_size=walker.p.frame_size)
    assert analyzer.update(0.0, walker.pose_at(0))[0].posture == "upright"
    analyzer.set_baseline(baseline)
    assert analyzer.update(0.1, walker.pose_at(0.1))[0].posture == "leaning_forward"
