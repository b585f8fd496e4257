"""The cue engine on scripted event streams (10 ticks a second, time passed in).

Faults arrive already persisted, as the analyzer's ``fault`` / ``fault_cleared`` events
(persistence itself is tested in test_classify.py); the engine only decides what to show.
"""

from __future__ import annotations

import itertools

import pytest

from kiosk.config.schema import CueConfig
from kiosk.session.cue_catalog import ALERT_CUES, FAULT_CUES, PRAISE, SAFETY_CUES, Cue
from kiosk.session.cues import CueEngine
from vision.types import Event, FrameMetrics

FPS = 10
PRESENT = FrameMetrics(posture="upright")
ABSENT = FrameMetrics(posture="no_person")
Timeline = list[tuple[float, Cue | None]]
Script = dict[float, list[Event]]


def fault(t: float, name: str, **data: object) -> Event:
    return Event("fault", t, {"fault": name, **data})


def cleared(t: float, name: str) -> Event:
    return Event("fault_cleared", t, {"fault": name, "duration_s": 1.0})


def episode(name: str, start: float, end: float | None, **data: object) -> Script:
    """A fault the analyzer reports at ``start`` and clears at ``end`` (None = never)."""
    script: Script = {start: [fault(start, name, **data)]}
    if end is not None:
        script[end] = [cleared(end, name)]
    return script


def merge(*scripts: Script) -> Script:
    out: Script = {}
    for script in scripts:
        for t, events in script.items():
            out.setdefault(t, []).extend(events)
    return out


def run(
    engine: CueEngine,
    seconds: float,
    events: Script | None = None,
    metrics: dict[str, object] | None = None,
) -> Timeline:
    """Tick the engine over ``seconds``; ``events`` keyed by the second they happen."""
    pending: dict[int, list[Event]] = {}
    for t, evs in (events or {}).items():
        pending.setdefault(round(t * FPS), []).extend(evs)
    timeline = []
    for i in range(round(seconds * FPS)):
        t = i / FPS
        timeline.append((t, engine.update(t, metrics or PRESENT, pending.get(i, []))))
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


@pytest.fixture
def engine() -> CueEngine:
    return CueEngine(CueConfig(encouragement_every_s=300))  # quiet unless a test wants it


def test_a_fault_event_cues_at_once_because_the_analyzer_already_persisted_it(
    engine: CueEngine,
) -> None:
    timeline = run(engine, 10, episode("leaning_forward", 3.0, None))
    assert first(timeline, "chest_up") == pytest.approx(3.0)
    assert FAULT_CUES["leaning_forward"].text == "Chest up — stand tall"
    assert engine.shown["posture"] == 1


def test_no_event_no_cue_whatever_the_metrics_say(engine: CueEngine) -> None:
    leaning = FrameMetrics(posture="leaning_forward", core_score=5.0, drift=0.99)
    timeline = run(engine, 20, metrics=leaning)
    assert all(cue is None for _, cue in timeline)
    assert engine.active_faults == ()


def test_a_fault_cue_stays_while_the_fault_lasts_and_counts_once(engine: CueEngine) -> None:
    timeline = run(engine, 20, episode("leaning_forward", 2.0, None))
    showing = [t for t, cue in timeline if cue is not None and cue.key == "chest_up"]
    assert showing[0] == pytest.approx(2.0) and showing[-1] == pytest.approx(19.9)
    assert engine.shown_keys["chest_up"] == 1


def test_a_cue_stays_at_least_min_display_even_if_fixed_at_once(engine: CueEngine) -> None:
    timeline = run(engine, 6, episode("leaning_forward", 2.0, 2.1))
    on = [t for t, cue in timeline if cue is not None and cue.key == "chest_up"]
    assert on[0] == pytest.approx(2.0)
    assert on[-1] - on[0] >= engine.cfg.min_display_s - 1 / FPS


def test_the_same_cue_waits_out_its_cooldown(engine: CueEngine) -> None:
    assert engine.cfg.cooldown_s == 10
    script = merge(
        episode("leaning_forward", 2.0, 3.0),
        episode("leaning_forward", 8.0, 9.0),  # within the cooldown: not shown
        episode("leaning_forward", 24.0, 25.0),
    )
    ups = [t for t, key in appearances(run(engine, 30, script)) if key == "chest_up"]
    assert ups == [pytest.approx(2.0), pytest.approx(24.0)]


def test_safety_beats_a_posture_cue_at_once(engine: CueEngine) -> None:
    script = merge(
        episode("leaning_forward", 2.0, None),
        {2.1: [Event("safety", 2.1, {"reason": "fall"})]},
    )
    timeline = run(engine, 12, script)
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
    everything = merge(
        episode("leaning_back", 1.0, None),
        episode("core", 1.0, None),
        episode("drift", 1.0, None),
    )
    timeline = run(engine, 3, everything)
    assert first(timeline, "lean_back") == pytest.approx(1.0)
    assert first(timeline, "brace_core") is None

    engine.reset()
    timeline = run(engine, 3, merge(episode("core", 1.0, None), episode("drift", 1.0, None)))
    assert first(timeline, "brace_core") == pytest.approx(1.0)
    assert first(timeline, "step_back") is None


def test_a_more_urgent_fault_takes_over_after_min_display(engine: CueEngine) -> None:
    script = merge(episode("core", 2.0, None), episode("leaning_side", 3.0, None))
    timeline = run(engine, 8, script)
    assert appearances(timeline)[:2] == [(2.0, "brace_core"), (pytest.approx(4.0), "centre")]


def test_praise_comes_once_the_correction_has_held(engine: CueEngine) -> None:
    timeline = run(engine, 14, episode("leaning_forward", 2.0, 5.0))
    assert [key for _, key in appearances(timeline)] == ["chest_up", "praise_tall"]
    hold = engine.cfg.praise_hold_s
    assert first(timeline, "praise_tall") == pytest.approx(5.0 + hold)
    assert PRAISE["posture"].text == "Nice and tall — keep it up"
    assert PRAISE["posture"].icon == "tick" and PRAISE["posture"].colour_role == "good"
    # the praise lingers display_s, then the banner is clear
    assert timeline[-1][1] is None


def test_drift_and_cadence_faults_cue_steps_and_praise_on_correction(
    engine: CueEngine,
) -> None:
    timeline = run(engine, 30, merge(episode("drift", 1.0, 4.0), episode("cadence", 15, 18)))
    assert first(timeline, "step_back") == pytest.approx(1.0)
    assert first(timeline, "even_steps") == pytest.approx(15.0)
    assert [key for _, key in appearances(timeline)] == [
        "step_back",
        "praise_steps_back",
        "even_steps",
        "praise_steps_back",
    ]


def test_no_praise_for_a_fault_that_was_never_cued(engine: CueEngine) -> None:
    # core shows first; the side lean arrives and goes within core's minimum display
    script = merge(episode("core", 1.0, None), episode("leaning_side", 1.5, 2.0))
    timeline = run(engine, 10, script)
    assert "praise_tall" not in [key for _, key in appearances(timeline)]


def test_no_praise_when_the_fault_ends_because_the_member_left(engine: CueEngine) -> None:
    # the analyzer clears every fault when the member is lost
    engine.update(0.0, PRESENT, [fault(0.0, "leaning_forward")])
    for i in range(1, 30):
        engine.update(i / FPS, PRESENT)
    lost = [cleared(3.0, "leaning_forward"), Event("safety", 3.0, {"reason": "member_lost"})]
    timeline = [(3.0, engine.update(3.0, ABSENT, lost))]
    timeline += [(3.0 + i / FPS, engine.update(3.0 + i / FPS, ABSENT)) for i in range(1, 150)]
    assert "praise_tall" not in [key for _, key in appearances(timeline)]
    assert timeline[0][1] == SAFETY_CUES["member_lost"]


def test_a_forward_lean_alert_shows_the_urgent_cue(engine: CueEngine) -> None:
    timeline = run(engine, 5, episode("leaning_forward", 1.0, None, severity="alert"))
    cue = timeline[-1][1]
    assert cue == ALERT_CUES["leaning_forward"]
    assert cue.text == "Stand up tall — you are bending far forward"
    assert cue.tone == "escalate" and cue.colour_role == "fault"  # alert: safety, urgent
    assert FAULT_CUES["leaning_forward"].tone == "caution"  # the warn cue is milder
    assert first(timeline, "chest_up") is None


def test_an_escalated_lean_replaces_the_mild_cue_with_the_urgent_one(engine: CueEngine) -> None:
    script = merge(
        episode("leaning_forward", 1.0, 9.0, severity="warn"),
        {5.0: [fault(5.0, "leaning_forward", severity="alert", escalated=True)]},
    )
    timeline = run(engine, 14, script)
    assert appearances(timeline) == [
        (1.0, "chest_up"),
        (5.0, "chest_up_alert"),
        (pytest.approx(9.0 + engine.cfg.praise_hold_s), "praise_tall"),
    ]
    assert engine.is_new is False and engine.shown["posture"] == 2


def test_encouragement_comes_periodically_when_all_is_well() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=30))
    ups = appearances(run(engine, 100))
    # 30 s of quiet each time; an encouragement itself stays up display_s (4 s)
    assert [t for t, _ in ups] == pytest.approx([30.0, 63.9, 97.8])
    assert len({key for _, key in ups}) == 3  # the wording varies
    assert engine.shown["encouragement"] == 3


def test_a_member_fine_95_percent_of_the_time_sees_mostly_encouragement() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=30))
    # ten minutes; a 3 s lean reported at the start of every minute: fine 95% of the time
    script = merge(*(episode("leaning_forward", 60.0 * m, 60.0 * m + 3) for m in range(10)))
    timeline = run(engine, 600, script)
    form = engine.shown["posture"] + engine.shown["core"] + engine.shown["steps"]
    assert engine.shown["encouragement"] >= 2 * form > 0
    form_time = sum(1 for _, c in timeline if c is not None and c.kind == "posture")
    assert form_time / len(timeline) < 0.10  # form cues on screen under 10% of the time


def test_a_fault_that_keeps_coming_back_does_not_nag() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=300, cooldown_s=10))
    # the analyzer reports the same lean every 3 s for a minute
    script = merge(*(episode("leaning_forward", 3.0 * k, 3.0 * k + 1) for k in range(20)))
    ups = [t for t, key in appearances(run(engine, 60, script)) if key == "chest_up"]
    assert len(ups) <= 6
    assert all(b - a >= 10 for a, b in itertools.pairwise(ups))


def test_no_more_than_max_per_minute_new_cues() -> None:
    engine = CueEngine(CueConfig(max_per_minute=3, cooldown_s=2, encouragement_every_s=300))
    names = ["leaning_forward", "leaning_back", "leaning_side", "core", "drift"]
    script = merge(
        *(episode(names[k % len(names)], 3.0 * k, 3.0 * k + 3) for k in range(60)),
    )
    timeline = run(engine, 180, script)
    form = [t for t, key in appearances(timeline) if not key.startswith("praise")]
    assert len(form) >= 6  # it did coach
    for t in form:
        assert sum(1 for u in form if t <= u < t + 60) <= 3


def test_steps_not_landing_toe_first_cue_the_ball_of_the_foot(engine: CueEngine) -> None:
    steps: Script = {
        0.5 * i: [Event("step", 0.5 * i, {"side": "left", "toe_first": False})] for i in range(8)
    }
    timeline = run(engine, 8, steps)
    assert first(timeline, "ball_of_foot") == pytest.approx(2.5)  # the 6th heel-first step
    assert FAULT_CUES["heel_first"].text == "Land on the ball of your foot"


def test_nobody_in_view_means_no_coaching() -> None:
    engine = CueEngine(CueConfig(encouragement_every_s=5))
    timeline = run(engine, 60, episode("leaning_forward", 1.0, None), metrics=ABSENT)
    assert appearances(timeline) == []


def test_an_unknown_fault_name_is_ignored(engine: CueEngine) -> None:
    timeline = run(engine, 5, episode("wobbling_ears", 1.0, None))
    assert appearances(timeline) == [] and engine.active_faults == ()


def test_reset_forgets_counts_and_faults(engine: CueEngine) -> None:
    run(engine, 6, episode("leaning_forward", 1.0, None))
    assert engine.active_faults == ("leaning_forward",)
    engine.reset()
    assert sum(engine.shown.values()) == 0 and engine.current is None
    assert engine.active_faults == ()


def test_is_new_flags_only_the_tick_a_cue_appears(engine: CueEngine) -> None:
    news = []
    for i in range(40):
        evs = [fault(i / FPS, "leaning_forward")] if i == 20 else []
        engine.update(i / FPS, PRESENT, evs)
        news.append(engine.is_new)
    assert news.count(True) == 1 and news.index(True) == 20
