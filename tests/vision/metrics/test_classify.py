"""Posture states with hysteresis, persistent faults, and safety events."""

from __future__ import annotations

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import PostureAnalyzer
from vision.metrics.baseline import Baseline
from vision.metrics.classify import FaultTracker, PostureClassifier, SafetyMonitor, incline_deg
from vision.metrics.core_score import CoreConfig
from vision.metrics.posture import PostureSample
from vision.metrics.settings import PostureConfig, SafetyConfig


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
        drifts.append(metrics.drift)
        safety += [e.data["reason"] for e in events if e.kind == "safety"]
    assert drifts[0] == pytest.approx(0.5, abs=0.05)
    assert drifts[-1] > 0.9
    assert "drift_back" in safety


def test_a_member_bent_over_30_degrees_is_flagged_as_a_fault() -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=35, sagittal_amp_deg=1)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    states, faults, severities = [], [], []
    for t, pose in walker.sequence(4):
        metrics, events = analyzer.update(t, pose)
        states.append(metrics.posture)
        faults += [e.data["fault"] for e in events if e.kind == "fault"]
        severities += [
            e.data["severity"]
            for e in events
            if e.kind == "fault" and e.data["fault"] == "leaning_forward"
        ]
    assert set(states) == {"leaning_forward"}
    assert "leaning_forward" in faults
    assert severities == ["warn"]  # 35 deg: past the 30 deg limit, short of the alert band


def test_forward_severity_turns_alert_at_forward_alert_deg_beyond_baseline() -> None:
    c = PostureClassifier(PostureConfig(forward_warn_deg=10, forward_alert_deg=20))
    b = Baseline(trunk_lean_deg=-5.0)
    assert c.forward_severity(side(12.0), b) == "warn"  # 17 beyond baseline
    assert c.forward_severity(side(15.0), b) == "alert"  # 20 beyond
    assert c.forward_severity(PostureSample(), b) is None


def test_without_a_baseline_alert_starts_the_same_band_past_the_absolute_limit() -> None:
    c = PostureClassifier(PostureConfig(forward_warn_deg=10, forward_alert_deg=20))
    assert c.forward_severity(side(35.0), None) == "warn"  # past 30, not yet 30 + 10
    assert c.forward_severity(side(40.0), None) == "alert"


def test_a_fault_carries_the_severity_that_held_and_escalates_once_a_worse_one_holds() -> None:
    f = FaultTracker(persist_s=2.0)
    events = []
    for i in range(300):
        t = i / 30
        severity = "alert" if 4.0 <= t < 4.5 or 6.0 <= t < 9.0 else "warn"
        events += f.update(t, {"leaning_forward": t < 9.5}, None, {"leaning_forward": severity})
    faults = [e for e in events if e.kind == "fault"]
    assert [e.data.get("severity") for e in faults] == ["warn", "alert"]
    assert faults[0].t == pytest.approx(2.0, abs=0.04)
    # the half-second spike at 4 s did not escalate; the alert held from 6 s did, at 8 s
    assert faults[1].t == pytest.approx(8.0, abs=0.04) and faults[1].data["escalated"] is True
    # it never drops back to warn in the episode; then the episode clears
    assert [e.kind for e in events] == ["fault", "fault", "fault_cleared"]
    assert f.severity("leaning_forward") is None


def test_a_fault_without_a_severity_has_none_in_its_event() -> None:
    f = FaultTracker(persist_s=1.0)
    events = [e for i in range(60) for e in f.update(i / 30, {"core": True})]
    assert len(events) == 1 and "severity" not in events[0].data


def test_a_member_bent_far_forward_gets_an_alert_fault() -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=42, sagittal_amp_deg=1)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    faults = [
        e.data
        for t, pose in walker.sequence(4)
        for e in analyzer.update(t, pose)[1]
        if e.kind == "fault"
    ]
    lean = [d for d in faults if d["fault"] == "leaning_forward"]
    assert len(lean) == 1 and lean[0]["severity"] == "alert"


def test_drifting_back_is_coached_as_a_fault_before_the_safety_alert() -> None:
    walker = SyntheticWalker(view="side", facing="left", drift_speed=0.1, center_x=0.5)
    cfg = SafetyConfig(drift_warn=0.7, drift_back_limit=0.85)
    analyzer = PostureAnalyzer(view="side", safety=cfg, frame_size=walker.p.frame_size)
    drift_fault = drift_back = None
    for t, pose in walker.sequence(10):
        _, events = analyzer.update(t, pose)
        for e in events:
            if e.kind == "fault" and e.data["fault"] == "drift" and drift_fault is None:
                drift_fault = (t, e.data["value"])
            if e.kind == "safety" and e.data["reason"] == "drift_back" and drift_back is None:
                drift_back = t
    assert drift_fault is not None and drift_back is not None
    assert drift_fault[1] >= 0.7
    assert drift_fault[0] < drift_back


def test_drift_warn_must_be_nearer_the_front_than_the_limit() -> None:
    with pytest.raises(ValueError, match="drift_warn must be below drift_back_limit"):
        SafetyConfig(drift_warn=0.9, drift_back_limit=0.85)


def test_the_core_fault_uses_core_fault_below_and_posture_persist_s() -> None:
    # a walker swaying hard scores low; a fault_below of 0 can never fire
    walker = SyntheticWalker(view="side", facing="left", sagittal_amp_deg=14)
    names = {}
    for below in (0.0, 100.0):
        analyzer = PostureAnalyzer(
            view="side", core=CoreConfig(fault_below=below), frame_size=walker.p.frame_size
        )
        names[below] = [
            e.data["fault"]
            for t, pose in walker.sequence(12)
            for e in analyzer.update(t, pose)[1]
            if e.kind == "fault"
        ]
    assert "core" not in names[0.0]
    assert "core" in names[100.0]
