"""The cue engine on scripted metric streams (10 ticks a second, time passed in)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.cue_catalog import FAULT_CUES, PRAISE, SAFETY_CUES, Cue
from kiosk.cues import CueEngine
from kiosk.settings import CueConfig
from vision.types import Event

FPS = 10
UPRIGHT = {"posture": "upright", "core_score": 80.0, "drift": 0.4, "cadence_spm": 90.0}


def frame(**changes: object) -> dict[str, object]:
    return {**UPRIGHT, **changes}


LEAN = frame(posture="leaning_forward")
Script = Callable[[float], dict[str, object]]
Timeline = list[tuple[float, Cue | None]]


def run(
    engine: CueEngine,
    script: Script,
    seconds: float,
    events: dict[float, list[Event]] | None = None,
    start: float = 0.0,
) -> Timeline:
    """Tick the engine over ``seconds``; ``events`` keyed by the second they happen."""
    pending = {round(t * FPS): evs for t, evs in (events or {}).items()}
    timeline = []
    for i in range(round(seconds * FPS)):
        t = start + i / FPS
        timeline.append((t, engine.update(t, script(t), pending.get(i, []))))
    return timeline


def first(timeline: Timeline, key: str) -> float | None:
    return next((t for t, cue in timeline if cue is not None and cue.key == key), None)


def appearances(timeline: Timeline) -> list[tuple[float, str]]:
    """(time, key) each time a different cue goes up."""
    out, previous = [], None
    for t, cue in timeline:
        if cue is not None and cue != previous:
            out.append((t, cue.key))
        previous = cue
    return out


def between(a: float, b: float, inside: dict[str, object]) -> Script:
    return lambda t: inside if a <= t < b else UPRIGHT


@pytest.fixture
def engine() -> CueEngine:
    return CueEngine(CueConfig(encouragement_every_s=300))  # quiet unless a test wants it


def test_a_one_second_lean_gives_no_cue(engine: CueEngine) -> None:
    timeline = run(engine, between(1, 2, LEAN), 10)
    assert all(cue is None for _, cue in timeline)
    assert engine.shown["posture"] == 0


def test_a_three_second_lean_cues_chest_up_once_it_has_persisted(engine: CueEngine) -> None:
    timeline = run(engine, between(1, 4, LEAN), 10)
    assert first(timeline, "chest_up") == pytest.approx(3.0)  # onset 1 s + persist 2 s
    assert FAULT_CUES["leaning_forward"].text == "Chest up — stand tall"
    assert engine.shown["posture"] == 1


def test_a_fault_cue_stays_while_the_fault_lasts_and_counts_once(engine: CueEngine) -> None:
    timeline = run(engine, between(0, 20, LEAN), 20)
    showing = [t for t, cue in timeline if cue is not None and cue.key == "chest_up"]
    assert showing[0] == pytest.approx(2.0) and showing[-1] == pytest.approx(19.9)
    assert engine.shown_keys["chest_up"] == 1


def test_a_cue_stays_at_least_min_display_even_if_fixed_at_once(engine: CueEngine) -> None:
    timeline = run(engine, between(0, 2.1, LEAN), 6)
    on = [t for t, cue in timeline if cue is not None and cue.key == "chest_up"]
    assert on[0] == pytest.approx(2.0)
    assert on[-1] - on[0] >= engine.cfg.min_display_s - 1 / FPS


def test_the_same_cue_waits_out_its_cooldown(engine: CueEngine) -> None:
    cfg = engine.cfg  # cooldown 10 s
    lean_twice = lambda t: LEAN if (0 <= t < 3 or 6 <= t < 9 or 22 <= t < 25) else UPRIGHT  # noqa: E731
    timeline = run(engine, lean_twice, 30)
    ups = [t for t, key in appearances(timeline) if key == "chest_up"]
    assert ups[0] == pytest.approx(2.0)
    assert ups[1] == pytest.approx(24.0)  # the lean at 6-9 s fell inside the cooldown
    assert len(ups) == 2 and cfg.cooldown_s == 10


def test_safety_beats_a_posture_cue_at_once(engine: CueEngine) -> None:
    safety = {2.1: [Event("safety", 2.1, {"reason": "fall"})]}
    timeline = run(engine, lambda t: LEAN, 12, safety)
    assert first(timeline, "chest_up") == pytest.approx(2.0)
    cue = next(c for t, c in timeline if t >= 2.1 - 1e-9)
    assert cue == SAFETY_CUES["fall"]  # although chest_up had shown only 0.1 s
    assert cue.text == "Hold the rails — stop the belt"
    assert cue.icon == "octagon" and cue.colour_role == "alert" and cue.tone == "alert"
    assert engine.shown["safety"] == 1
    # it stays safety_display_s, then the interrupted posture cue comes back
    ends = 2.1 + engine.cfg.safety_display_s
    assert all(c == cue for t, c in timeline if 2.1 - 1e-9 <= t < ends - 1e-9)
    assert appearances(timeline)[-1] == (pytest.approx(ends), "chest_up")


def test_posture_beats_core_and_core_beats_steps(engine: CueEngine) -> None:
    everything = frame(posture="leaning_back", core_score=10.0, drift=0.95)
    timeline = run(engine, lambda t: everything, 3)
    assert first(timeline, "lean_back") == pytest.approx(2.0)
    assert first(timeline, "brace_core") is None

    engine.reset()
    timeline = run(engine, lambda t: frame(core_score=10.0, drift=0.95), 3)
    assert first(timeline, "brace_core") == pytest.approx(2.0)
    assert first(timeline, "step_forward") is None


def test_a_more_urgent_fault_takes_over_after_min_display(engine: CueEngine) -> None:
    script = lambda t: frame(core_score=10.0, posture="leaning_side" if t >= 3 else "upright")  # noqa: E731
    timeline = run(engine, script, 8)
    assert appearances(timeline)[:2] == [(2.0, "brace_core"), (pytest.approx(5.0), "centre")]


def test_praise_replaces_a_cue_when_the_fault_is_corrected(engine: CueEngine) -> None:
    timeline = run(engine, between(0, 5, LEAN), 12)
    keys = [key for _, key in appearances(timeline)]
    assert keys == ["chest_up", "praise_tall"]
    assert first(timeline, "praise_tall") == pytest.approx(5.0)
    assert PRAISE["posture"].text == "Nice and tall — keep it up"
    assert PRAISE["posture"].icon == "tick" and PRAISE["posture"].colour_role == "good"
    # the praise lingers display_s, then the banner is clear
    assert timeline[-1][1] is None


def test_no_praise_for_a_fault_that_was_never_cued(engine: CueEngine) -> None:
    timeline = run(engine, between(0, 1.5, LEAN), 10)
    assert appearances(timeline) == []


def test_encouragement_comes_periodically_when_all_is_well() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=30))
    timeline = run(engine, lambda t: UPRIGHT, 100)
    ups = appearances(timeline)
    # 30 s of quiet each time; an encouragement itself stays up display_s (4 s)
    assert [t for t, _ in ups] == pytest.approx([30.0, 63.9, 97.8])
    assert len({key for _, key in ups}) == 3  # the wording varies
    assert engine.shown["encouragement"] == 3


def test_a_member_fine_95_percent_of_the_time_sees_mostly_encouragement() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=30))
    # ten minutes; a 3 s lean at the start of every minute: upright 95% of the time
    script = lambda t: LEAN if t % 60 < 3 else UPRIGHT  # noqa: E731
    timeline = run(engine, script, 600)
    form = engine.shown["posture"] + engine.shown["core"] + engine.shown["steps"]
    assert engine.shown["encouragement"] >= 2 * form > 0
    form_time = sum(1 for _, c in timeline if c is not None and c.kind == "posture")
    assert form_time / len(timeline) < 0.10  # form cues on screen under 10% of the time


def test_brief_wobbles_below_the_persistence_never_nag() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=30))
    script = lambda t: LEAN if t % 20 < 1 else UPRIGHT  # noqa: E731
    run(engine, script, 300)
    assert engine.shown["posture"] == 0
    assert engine.shown["encouragement"] > 0


def test_no_more_than_max_per_minute_new_cues() -> None:
    engine = CueEngine(CueConfig(max_per_minute=3, cooldown_s=2, encouragement_every_s=300))
    faults = [
        frame(posture="leaning_forward"),
        frame(posture="leaning_back"),
        frame(posture="leaning_side"),
        frame(core_score=5.0),
        frame(drift=0.99),
    ]
    script = lambda t: faults[int(t // 3) % len(faults)]  # noqa: E731
    timeline = run(engine, script, 180)
    form = [t for t, key in appearances(timeline) if not key.startswith("praise")]
    assert len(form) >= 6  # it did coach
    for t in form:
        assert sum(1 for u in form if t <= u < t + 60) <= 3


def test_head_and_cadence_faults_come_from_analyzer_events(engine: CueEngine) -> None:
    events = {
        1.0: [Event("fault", 1.0, {"fault": "cadence"})],
        4.0: [Event("fault_cleared", 4.0, {"fault": "cadence"})],
    }
    timeline = run(engine, lambda t: UPRIGHT, 10, events)
    assert first(timeline, "slow_steps") == pytest.approx(1.0)  # persisted upstream already
    assert first(timeline, "praise_steps") == pytest.approx(4.0)


def test_lean_fault_events_are_not_counted_twice(engine: CueEngine) -> None:
    events = {
        2.0: [Event("fault", 2.0, {"fault": "leaning_forward"})],
        6.0: [Event("fault_cleared", 6.0, {"fault": "leaning_forward"})],
    }
    timeline = run(engine, between(0, 6, LEAN), 10, events)
    assert [key for _, key in appearances(timeline)] == ["chest_up", "praise_tall"]
    assert engine.shown["posture"] == 1


def test_steps_not_landing_toe_first_cue_the_ball_of_the_foot(engine: CueEngine) -> None:
    steps = {
        0.5 * i: [Event("step", 0.5 * i, {"side": "left", "toe_first": False})] for i in range(8)
    }
    timeline = run(engine, lambda t: UPRIGHT, 8, steps)
    assert first(timeline, "ball_of_foot") == pytest.approx(2.5)  # the 6th heel-first step
    assert FAULT_CUES["heel_first"].text == "Land on the ball of your foot"


def test_nobody_in_view_means_no_coaching(engine: CueEngine) -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=5))
    timeline = run(engine, lambda t: {"posture": "no_person"}, 60)
    assert appearances(timeline) == []


def test_reset_forgets_counts_and_faults(engine: CueEngine) -> None:
    run(engine, between(0, 5, LEAN), 6)
    engine.reset()
    assert sum(engine.shown.values()) == 0 and engine.current is None
    assert engine.active_faults == ()


def test_is_new_flags_only_the_tick_a_cue_appears(engine: CueEngine) -> None:
    news = []
    for i in range(40):
        engine.update(i / FPS, LEAN)
        news.append(engine.is_new)
    assert news.count(True) == 1 and news.index(True) == 20
