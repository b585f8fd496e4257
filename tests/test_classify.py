"""Posture states with hysteresis, persistent faults, and safety events."""

from __future__ import annotations

import pytest
from synthetic_walker import SyntheticWalker

from vision.analysis import PostureAnalyzer
from vision.analysis_settings import PostureConfig, SafetyConfig
from vision.baseline import Baseline
from vision.classify import FaultTracker, PostureClassifier, SafetyMonitor, incline_deg
from vision.posture import PostureSample


def side(lean: float) -> PostureSample:
    return PostureSample(trunk_lean_deg=lean, trunk_image_deg=lean)


def test_incline_correction_is_the_atan_of_the_grade() -> None:
    assert incline_deg(5) == pytest.approx(2.86, abs=0.01)
    assert incline_deg(10) == pytest.approx(5.71, abs=0.01)


def test_without_a_baseline_only_the_absolute_limits_apply() -> None:
    c = PostureClassifier(PostureConfig())
    assert c.update(side(25.0), None) == "upright"
    assert c.update(side(31.0), None) == "leaning_forward"
    c.reset()
    assert c.update(side(-26.0), None) == "leaning_back"


def test_with_a_baseline_limits_are_relative_to_it() -> None:
    c = PostureClassifier(PostureConfig())
    b = Baseline(trunk_lean_deg=-8.0)  # this member's landmarks sit 8 deg behind vertical
    assert c.update(side(1.0), b) == "upright"  # 9 deg beyond baseline: under 10
    assert c.update(side(3.0), b) == "leaning_forward"  # 11 beyond
    c.reset()
    assert c.update(side(-17.0), b) == "leaning_back"  # 9 behind baseline: over 8


def test_absolute_limit_is_a_safety_net_even_with_a_baseline() -> None:
    c = PostureClassifier(PostureConfig())
    bent_baseline = Baseline(trunk_lean_deg=25.0)
    assert c.update(side(32.0), bent_baseline) == "leaning_forward"


def test_states_do_not_flicker_around_a_limit() -> None:
    c = PostureClassifier(PostureConfig(hysteresis_deg=2.0))
    b = Baseline(trunk_lean_deg=0.0)
    states = [c.update(side(lean), b) for lean in (9.0, 10.5, 9.5, 8.5, 10.2, 9.0, 7.9, 9.5)]
    assert states == ["upright"] + ["leaning_forward"] * 5 + ["upright", "upright"]


def test_incline_makes_some_lean_toward_the_face_neutral() -> None:
    cfg = PostureConfig()
    c = PostureClassifier(cfg)
    b = Baseline(trunk_lean_deg=0.0)
    assert c.update(side(12.0), b) == "leaning_forward"
    c.reset()
    c.incline_percent = 10.0  # 5.7 deg
    assert c.update(side(12.0), b) == "upright"


def test_lateral_lean_flags_leaning_side() -> None:
    c = PostureClassifier(PostureConfig())
    s = PostureSample(lateral_lean_deg=-16.0, trunk_image_deg=16.0)
    assert c.update(s, None) == "leaning_side"


def test_no_person_and_unknown_trunk_have_their_own_states() -> None:
    c = PostureClassifier(PostureConfig())
    assert c.update(None, None) == "no_person"
    assert c.update(PostureSample(), None) == "low_confidence"


def test_a_fault_becomes_an_event_after_it_persists_and_clears_after() -> None:
    f = FaultTracker(persist_s=2.0)
    events = []
    for i in range(100):
        t = i / 30
        events += f.update(t, {"leaning_forward": t < 2.5}, {"leaning_forward": 14.0})
    kinds = [(e.kind, e.data["fault"]) for e in events]
    assert kinds == [("fault", "leaning_forward"), ("fault_cleared", "leaning_forward")]
    assert events[0].t == pytest.approx(2.0, abs=0.04)
    assert events[0].data["value"] == 14.0
    assert events[1].data["duration_s"] == pytest.approx(2.5, abs=0.05)


def test_a_short_fault_makes_no_event_and_unknown_frames_change_nothing() -> None:
    f = FaultTracker(persist_s=2.0)
    assert f.update(0.0, {"core": True}) == []
    assert f.update(1.0, {"core": None}) == []
    assert f.update(1.5, {"core": False}) == []
    assert f.update(3.6, {"core": True}) == []
    assert [e.kind for e in f.update(5.7, {"core": True})] == ["fault"]


def test_sudden_large_lean_is_a_fall_but_a_slow_one_is_not() -> None:
    m = SafetyMonitor(SafetyConfig())
    events = []
    for i in range(30):
        lean = 2.0 if i < 10 else 60.0
        events += m.update(i / 30, True, lean, None)
    assert [e.data["reason"] for e in events] == ["fall"]
    slow = SafetyMonitor(SafetyConfig())
    events = []
    for i in range(300):  # 0 -> 60 deg over 10 s
        events += slow.update(i / 30, True, i * 0.2, None)
    assert events == []


def test_one_glitched_frame_is_not_a_fall() -> None:
    m = SafetyMonitor(SafetyConfig())
    leans = [2.0] * 10 + [170.0] + [2.0] * 10
    assert [e for i, a in enumerate(leans) for e in m.update(i / 30, True, a, None)] == []


def test_member_lost_after_the_configured_time_once() -> None:
    m = SafetyMonitor(SafetyConfig(member_lost_s=2.0))
    m.update(0.0, True, 0.0, None)
    events = [e for i in range(1, 120) for e in m.update(i / 30, False, None, None)]
    assert [e.data["reason"] for e in events] == ["member_lost"]
    assert events[0].t == pytest.approx(2.0, abs=0.04)


def test_nobody_ever_seen_is_not_a_lost_member() -> None:
    m = SafetyMonitor(SafetyConfig())
    assert [e for i in range(200) for e in m.update(i / 30, False, None, None)] == []


def test_drift_to_the_back_persisting_raises_drift_back() -> None:
    m = SafetyMonitor(SafetyConfig(drift_back_limit=0.85, drift_persist_s=2.0))
    events = [e for i in range(120) for e in m.update(i / 30, True, 0.0, 0.9)]
    assert [e.data["reason"] for e in events] == ["drift_back"]


@pytest.mark.parametrize("facing", ["left", "right"])
def test_a_member_drifting_toward_their_face_reaches_the_back_of_the_belt(facing: str) -> None:
    # Walking backwards, the belt carries a member who slows down toward their face.
    walker = SyntheticWalker(view="side", facing=facing, drift_speed=0.25, center_x=0.5)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    drifts, safety = [], []
    for t, pose in walker.sequence(8):
        metrics, events = analyzer.update(t, pose)
        drifts.append(metrics["drift"])
        safety += [e.data["reason"] for e in events if e.kind == "safety"]
    assert drifts[0] == pytest.approx(0.5, abs=0.05)
    assert drifts[-1] > 0.9
    assert "drift_back" in safety


def test_a_member_bent_over_30_degrees_is_flagged_as_a_fault() -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=35, sagittal_amp_deg=1)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    states, faults = [], []
    for t, pose in walker.sequence(4):
        metrics, events = analyzer.update(t, pose)
        states.append(metrics["posture"])
        faults += [e.data["fault"] for e in events if e.kind == "fault"]
    assert set(states) == {"leaning_forward"}
    assert "leaning_forward" in faults
