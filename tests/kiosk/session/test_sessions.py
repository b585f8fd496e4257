"""Session plans, the session clock and session statistics on scripted streams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.session.plans import SessionClock, SessionPlan, SessionStats
from vision.types import Event, FrameMetrics

INTERVALS = [
    ProgramBlock(kind="warmup", minutes=2, speed_mph=2.0),
    ProgramBlock(kind="backward", minutes=3, speed_mph=1.0, incline_percent=5),
    ProgramBlock(kind="rest", minutes=1),
    ProgramBlock(kind="backward", minutes=3, speed_mph=1.0, incline_percent=5),
    ProgramBlock(kind="cooldown", minutes=2, speed_mph=1.5),
]


def test_plan_labels_number_blocks_of_the_same_kind() -> None:
    plan = SessionPlan.from_blocks("intervals", INTERVALS)
    labels = [b.label for b in plan.blocks]
    assert labels == ["Warm-up", "Backward 1 of 2", "Rest", "Backward 2 of 2", "Cool-down"]
    assert plan.total_s == 11 * 60 and plan.backward_s == 6 * 60


def test_plan_from_the_config_defaults_to_the_first_program() -> None:
    plan = SessionPlan.from_config(BackstepConfig())
    assert plan.name == "starter" and plan.blocks[1].label == "Backward"
    with pytest.raises(ValueError, match=r"no program called 'marathon'.*starter"):
        SessionPlan.from_config(BackstepConfig(), "marathon")


def test_scaling_stretches_only_the_backward_blocks() -> None:
    plan = SessionPlan.from_blocks("intervals", INTERVALS).scaled(10)
    assert plan.backward_s == pytest.approx(600)
    assert [b.seconds for b in plan.blocks] == pytest.approx([120, 300, 60, 300, 120])
    with pytest.raises(ValueError):
        plan.scaled(0)


def test_describe_is_one_sentence_with_speeds_and_incline() -> None:
    text = SessionPlan.from_blocks("intervals", INTERVALS).describe()
    assert text.startswith("11 min: 2 min warm-up at 2 mph, 3 min backward 1 of 2 at 1 mph, ")
    assert "5% incline" in text and text.endswith("2 min cool-down at 1.5 mph.")


def test_clock_walks_through_blocks_and_flags_each_change() -> None:
    clock = SessionClock(SessionPlan.from_blocks("intervals", INTERVALS))
    clock.start(1000.0)
    changes = [t for t in range(1000, 1000 + 11 * 60 + 5) if clock.update(float(t))]
    assert changes == [1120, 1300, 1360, 1540]
    assert clock.is_finished and clock.remaining_s == 0
    assert clock.block.label == "Cool-down"


def test_clock_pause_excludes_the_paused_time() -> None:
    clock = SessionClock(SessionPlan.from_blocks("intervals", INTERVALS))
    clock.start(0.0)
    clock.update(100.0)
    clock.pause(100.0)
    clock.update(400.0)  # paused for five minutes
    assert clock.is_paused and not clock.is_running
    assert clock.elapsed_s == 100.0 and clock.block_index == 0
    clock.resume(400.0)
    assert not clock.update(419.0)
    assert clock.update(420.0)  # 120 s of walking: into "Backward 1 of 2"
    assert clock.block.label == "Backward 1 of 2"
    assert clock.block_elapsed_s == 0.0 and clock.block_remaining_s == 180.0
    assert clock.elapsed_s == 120.0 and clock.remaining_s == 540.0


def test_clock_can_skip_to_the_next_block() -> None:
    clock = SessionClock(SessionPlan.from_blocks("intervals", INTERVALS))
    clock.start(0.0)
    clock.update(30.0)
    clock.skip_block(30.0)
    assert clock.update(30.0) and clock.block_index == 1 and clock.block_elapsed_s == 0.0


def test_clock_before_start_is_at_zero() -> None:
    clock = SessionClock(SessionPlan.from_blocks("intervals", INTERVALS))
    assert not clock.is_started and not clock.is_finished and clock.elapsed_s == 0.0


def feed(stats: SessionStats, postures: list[str], fps: int = 10, start: float = 0.0) -> float:
    """One posture per second, ``fps`` frames each; returns the time after the last frame."""
    t = start
    for posture in postures:
        for _ in range(fps):
            stats.add(t, FrameMetrics(posture=posture, trunk_lean_deg=3.0, cadence_spm=90.0))
            t += 1 / fps
    return t


def test_percent_upright_counts_only_frames_with_a_person() -> None:
    stats = SessionStats()
    feed(stats, ["upright"] * 6 + ["leaning_forward"] * 2 + ["no_person"] * 10 + ["upright"] * 2)
    # 10 s with a person (the first frame opens the clock), 8 of them upright
    assert stats.person_s == pytest.approx(10.0, abs=0.15)
    assert stats.upright_percent == pytest.approx(80.0, abs=1.5)


def test_streaks_break_on_a_fault_but_not_when_the_member_is_out_of_view() -> None:
    stats = SessionStats()
    feed(stats, ["upright"] * 5 + ["leaning_back"] + ["upright"] * 3 + ["no_person"] * 2)
    feed(stats, ["upright"] * 4, start=11.0)
    assert stats.longest_streak_s == pytest.approx(7.0, abs=0.15)  # 3 + 4 around the gap
    assert stats.current_streak_s == pytest.approx(7.0, abs=0.15)


def test_a_long_gap_between_frames_counts_for_nothing() -> None:
    stats = SessionStats(max_gap_s=1.0)
    stats.add(0.0, FrameMetrics(posture="upright"))
    stats.add(60.0, FrameMetrics(posture="upright"))  # e.g. the session was paused
    assert stats.person_s == 0.0


def test_samples_are_per_second_means_and_the_summary_is_json_ready() -> None:
    stats = SessionStats()
    for i in range(30):  # 3 s at 10 fps; lean rises 0.0 … 2.9
        t = i / 10
        stats.add(
            t,
            FrameMetrics(posture="upright", trunk_lean_deg=t, core_score=70, cadence_spm=80 + t),
            [Event("step", t, {"side": "left", "toe_first": i % 2 == 0})] if i % 5 == 0 else [],
        )
    stats.add(
        3.0,
        FrameMetrics(posture="leaning_forward", cadence_spm=None),
        [
            Event("fault", 3.0, {"fault": "leaning_forward"}),
            Event("safety", 3.0, {"reason": "drift_back"}),
        ],
    )
    summary = json.loads(json.dumps(stats.summary()))
    assert [s["t"] for s in summary["samples"]] == [0.0, 1.0, 2.0, 3.0]
    assert summary["samples"][1]["trunk_lean_deg"] == pytest.approx(1.45, abs=0.06)
    assert summary["samples"][3]["posture"] == "leaning_forward"
    assert summary["samples"][3]["cadence_spm"] is None
    assert summary["faults"] == {"leaning_forward": 1} and summary["fault_total"] == 1
    assert summary["safety"] == {"drift_back": 1}
    assert summary["steps"] == 6 and summary["toe_first_percent"] == 50.0
    assert summary["average_cadence_spm"] == pytest.approx(81.45, abs=0.1)
    assert summary["upright_percent"] == pytest.approx(96.7, abs=0.1)


def test_an_empty_session_summarises_to_unknowns() -> None:
    summary = SessionStats().summary()
    assert summary["upright_percent"] is None and summary["samples"] == []
    assert summary["longest_streak_s"] == 0.0


def test_an_escalated_fault_is_not_counted_as_a_second_fault() -> None:
    stats = SessionStats()
    stats.add(
        0.0, FrameMetrics(posture="leaning_forward"), [Event("fault", 0.0, {"fault": "core"})]
    )
    escalation = Event(
        "fault",
        1.0,
        {"fault": "leaning_forward", "severity": "alert", "escalated": True},
    )
    first = Event("fault", 0.5, {"fault": "leaning_forward", "severity": "warn"})
    stats.add(0.5, FrameMetrics(posture="leaning_forward"), [first])
    stats.add(1.0, FrameMetrics(posture="leaning_forward"), [escalation])
    assert stats.fault_counts == {"core": 1, "leaning_forward": 1}


def test_intervals_alternate_backward_and_forward_blocks_keeping_backward_time() -> None:
    plan = SessionPlan.from_config(BackstepConfig()).scaled(3).with_intervals(60, 60)
    kinds = [b.kind for b in plan.blocks]
    assert kinds == ["warmup", "backward", "forward", "backward", "forward", "backward", "cooldown"]
    assert plan.backward_s == pytest.approx(180) and plan.has_intervals
    assert [b.label for b in plan.blocks][1:4] == [
        "Backward 1 of 3",
        "Forward 1 of 2",
        "Backward 2 of 3",
    ]
    backward = plan.blocks[1]
    assert plan.blocks[2].speed_mph == backward.speed_mph  # same treadmill settings
    assert not SessionPlan.from_config(BackstepConfig()).has_intervals


def test_a_member_suggested_intervals_gets_an_interval_plan(tmp_path: Path) -> None:
    import datetime as dt

    from kiosk.flow.types import Member as Walker
    from kiosk.session.lifecycle import MemberSessions
    from kiosk.store.database import Store
    from kiosk.store.records import Member

    cfg = BackstepConfig()
    top = cfg.progression
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
        sid = store.start_session("1", "starter", 1000.0)
        summary = {
            "backward_minutes": top.max_minutes,
            "upright_share": 0.95,
            "incline_percent": top.max_incline_percent,
            "intervals": False,
        }
        store.finish_session(sid, "completed", 2000.0, summary)
        sessions = MemberSessions(cfg, store, None, lambda msg: None)  # type: ignore[arg-type]
        plan, text = sessions.plan(Walker(member_id="1", name="Ada"))
    assert "intervals" in text and plan.has_intervals
    assert plan.backward_s == pytest.approx(top.max_minutes * 60)
    assert all(b.incline_percent == top.max_incline_percent for b in plan.blocks if b.is_backward)
