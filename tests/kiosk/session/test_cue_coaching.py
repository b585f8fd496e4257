"""Cues that coach like a trainer, on the engine and on the analyzer's real events.

One cue and one tone per persisting fault, through tracking dropouts; reminders at a slower
rate and then a firmer cue while it lasts; praise only after a held correction; directions
in the backward walker's own frame at both ends of the belt.
"""

from __future__ import annotations

import pytest
from support.synthetic_walker import SyntheticWalker

from kiosk.config.schema import CueConfig
from kiosk.session.cue_catalog import ESCALATED_CUES, FAULT_CUES, SAFETY_CUES
from kiosk.session.cues import CueEngine
from vision.metrics.analyzer import PostureAnalyzer
from vision.settings import ZoneConfig
from vision.types import Event, FrameMetrics

FPS = 30
PRESENT = FrameMetrics(posture="leaning_forward")
ABSENT = FrameMetrics(posture="no_person")


def tick(engine: CueEngine, seconds: float, start: float = 0.0, events=None, absent=()):
    """Run the engine; returns [(t, cue key or None, tone played)] per tick."""
    out = []
    for i in range(round(seconds * FPS)):
        t = start + i / FPS
        gone = any(a <= t < b for a, b in absent)
        evs = (events or {}).get(i, [])
        cue = engine.update(t, ABSENT if gone else PRESENT, evs)
        out.append((t, cue.key if cue else None, engine.is_new))
    return out


def test_a_short_dropout_keeps_the_cue_and_its_single_tone() -> None:
    engine = CueEngine(CueConfig())
    start = {0: [Event("fault", 0.0, {"fault": "leaning_forward"})]}
    timeline = tick(engine, 10, events=start, absent=[(3.0, 3.8)])
    assert all(key == "chest_up" for _, key, _ in timeline)
    assert sum(tone for _, _, tone in timeline) == 1
    assert engine.shown["posture"] == 1


def test_a_lasting_fault_is_reminded_slower_then_escalated_never_silent() -> None:
    cfg = CueConfig()
    engine = CueEngine(cfg)
    start = {0: [Event("fault", 0.0, {"fault": "leaning_back"})]}
    timeline = tick(engine, cfg.escalate_after_s + 10, events=start)
    assert all(key is not None for _, key, _ in timeline)  # never silent
    tones = [t for t, key, tone in timeline if tone and key == "lean_back"]
    # the cue at once, then reminders of it at the slower rate
    assert tones == pytest.approx([0.0, cfg.reminder_every_s, 2 * cfg.reminder_every_s])
    escalated = ESCALATED_CUES["leaning_back"].key
    first = next(t for t, key, _ in timeline if key == escalated)
    assert first == pytest.approx(cfg.escalate_after_s, abs=1 / FPS)
    assert engine.reminders >= 1


def test_no_praise_for_a_correction_that_does_not_hold() -> None:
    engine = CueEngine(CueConfig())
    events = {
        0: [Event("fault", 0.0, {"fault": "leaning_forward"})],
        3 * FPS: [Event("fault_cleared", 3.0, {"fault": "leaning_forward"})],
        4 * FPS: [Event("fault", 4.0, {"fault": "leaning_forward"})],
    }
    timeline = tick(engine, 8, events=events)
    assert "praise_tall" not in {key for _, key, _ in timeline}


def test_directions_are_in_the_backward_walkers_frame() -> None:
    # Carried toward the end they face, their steps back are too short.
    assert FAULT_CUES["drift"].text == "Longer steps back"
    # Near the console behind them their steps are too long (the belt is not to blame).
    assert FAULT_CUES["console"].text == "Shorter steps, ease off: the console is behind you"
    for cue in (
        FAULT_CUES["drift"],
        FAULT_CUES["console"],
        ESCALATED_CUES["drift"],
        ESCALATED_CUES["console"],
        SAFETY_CUES["drift_back"],
    ):
        assert "forward" not in cue.text.lower(), cue.text


ZONE = ZoneConfig(x0=0.1, y0=0.0, x1=0.9, y1=1.0)


@pytest.mark.parametrize(
    ("facing", "center_x", "fault"),
    [
        # Facing left, the belt carries her left: near the left edge she is at the far end.
        ("left", 0.22, "drift"),
        ("left", 0.8, "console"),  # near the right edge: the console is right behind her
        ("right", 0.8, "drift"),
        ("right", 0.2, "console"),
    ],
)
def test_both_ends_of_the_belt_are_watched(facing: str, center_x: float, fault: str) -> None:
    walker = SyntheticWalker(view="side", facing=facing, walking=False, center_x=center_x)
    analyzer = PostureAnalyzer(view="side", zone=ZONE, frame_size=walker.p.frame_size)
    faults = set()
    for t, pose in walker.sequence(4.0):
        _, events = analyzer.update(t, pose)
        faults |= {e.data["fault"] for e in events if e.kind == "fault"}
    assert faults == {fault}


def test_a_camera_reconnect_is_not_a_member_lost() -> None:
    walker = SyntheticWalker(view="side", facing="left", walking=False)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    events = []
    for t, pose in walker.sequence(2.0):
        events += analyzer.update(t, pose)[1]
    # The camera is gone for 4 s (no frames at all), then the first frames find nobody
    # while the model picks the member up again.
    for i in range(15):
        events += analyzer.update(6.0 + i / FPS, None)[1]
    for t, pose in walker.sequence(1.0):
        events += analyzer.update(6.5 + t, pose)[1]
    assert not [e for e in events if e.kind == "safety"]


def test_a_member_who_really_leaves_is_reported() -> None:
    walker = SyntheticWalker(view="side", facing="left", walking=False)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    events = []
    for t, pose in walker.sequence(2.0):
        events += analyzer.update(t, pose)[1]
    for i in range(5 * FPS):
        events += analyzer.update(2.0 + i / FPS, None)[1]
    assert [e.data["reason"] for e in events if e.kind == "safety"] == ["member_lost"]


def test_analyzer_and_cues_together_give_one_cue_and_one_tone_through_a_dropout() -> None:
    """A member bent 15 deg beyond their baseline, lost by the tracker for 0.6 s."""
    from vision.metrics.baseline import Baseline

    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=7.0, cadence_spm=100)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    analyzer.set_baseline(Baseline(view="side", facing="left", trunk_lean_deg=-8.0))
    engine = CueEngine(CueConfig())
    tones = []
    keys = set()
    for t, pose in walker.sequence(12.0):
        hidden = 6.0 <= t < 6.6
        metrics, events = analyzer.update(t, None if hidden else pose)
        cue = engine.update(t, metrics, events)
        keys.add(cue.key if cue else None)
        if engine.is_new:
            tones.append((round(t, 2), cue.key if cue else None))
    assert tones[0][1] == "chest_up"
    assert len(tones) == 1  # the first reminder is due only at 20 s
    assert keys - {None} == {"chest_up"}


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_cadence_converges_within_about_five_steps(fps: float) -> None:
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=96, phase0=0.3)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    steps = 0
    for t, pose in walker.sequence(8.0, fps):
        metrics, events = analyzer.update(t, pose)
        steps += sum(e.kind == "step" for e in events)
        if steps >= 5 and metrics.cadence_settled:
            break
    assert steps <= 6 and metrics.cadence_settled
    assert metrics.cadence_spm == pytest.approx(96, rel=0.05)
