"""The summary adds up: one sampler, minutes with labels, honest title, deltas and bests."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.screen_views import sample_summary

from kiosk.config.schema import BackstepConfig
from kiosk.session.plans import SessionPlan
from kiosk.session.recorder import SessionRecorder
from kiosk.session.report import Limits, one_sentence, personal_bests, summary_view, title_for
from kiosk.session.running import SessionRun
from kiosk.session.stats import CADENCE_WARMUP_S, SecondSampler, SessionStats
from kiosk.store.database import Store
from vision.types import FrameMetrics, FrameResult


def test_the_recorder_stores_exactly_the_samples_the_summary_charts(tmp_path: Path) -> None:
    """One sampler: the rows on disk are the summary's samples, same columns and rounding."""
    with Store(tmp_path / "db.sqlite3") as store:
        recorder = SessionRecorder(store, station_id="t", background=False)
        run = SessionRun(
            BackstepConfig(), SessionPlan.from_config(BackstepConfig()), "Ada", recorder
        )
        run.start(100.0)
        sid = recorder.session_id
        assert sid is not None
        for i in range(95):  # 9.5 s at 10 fps; the lean wanders, the member leans at the end
            t = 100.0 + i / 10
            metrics = FrameMetrics(
                posture="upright" if i < 70 else "leaning_forward",
                trunk_lean_deg=3.0 + (i % 7) / 3,
                core_score=70 + i % 5,
                cadence_spm=90.0 + i % 3,
            )
            result = FrameResult(frame_index=i, t=t, media_t=None, frame_size=(640, 480))
            result.metrics = metrics
            run.update(t, result, [])
        summary = run.finish(109.6)
        rows = store.samples(sid)
    charted = summary["samples"]
    assert len(rows) == len(charted) == 10
    for row, s in zip(rows, charted, strict=True):
        assert (row.t, row.trunk_lean, row.core_score, row.cadence, row.posture) == (
            s["t"],
            s["trunk_lean_deg"],
            s["core_score"],
            s["cadence_spm"],
            s["posture"],
        )


def test_the_sampler_stamps_each_second_and_skips_gaps() -> None:
    sampler = SecondSampler()
    done = []
    for t in (0.0, 0.5, 1.2, 3.4):
        done += sampler.add(t, FrameMetrics(posture="upright", trunk_lean_deg=t))
    assert [s.t for s in done] == [0.0, 1.0]
    assert done[0].trunk_lean_deg == 0.25
    tail = sampler.flush()
    assert tail is not None and tail.t == 3.0


def test_average_cadence_leaves_out_the_estimators_warm_up() -> None:
    stats = SessionStats(t0=0.0)
    t = 0.0
    while t < 40.0:
        # the estimator starts from a few steps: wild for the first seconds, then 90
        cadence = 200.0 if t < CADENCE_WARMUP_S else 90.0
        stats.add(t, FrameMetrics(posture="upright", cadence_spm=cadence))
        t += 0.1
    assert stats.average_cadence_spm == pytest.approx(90.0)


def view(**kw):
    base = dict(
        summary=sample_summary(),
        limits=Limits(10.0, 8.0, 8.0),
        last=None,
        suggestion="try 3 minutes next time.  Keep the rails.",
        baseline_lean_deg=5.0,
    )
    base.update(kw)
    return summary_view(**base)


def test_time_counts_backward_and_total_minutes_with_labels() -> None:
    s = view()
    rows = {r.label: r for r in s.rows}
    assert rows["Backward"].now == "2:30"
    assert s.total_minutes == pytest.approx(4.5)


def test_zero_last_values_show_0_00_and_missing_ones_a_dash() -> None:
    zero = {"backward_minutes": 0.0, "longest_streak_s": 0.0, "upright_percent": 0.0}
    rows = {r.label: r for r in view(last=zero).rows}
    assert rows["Backward"].last == "0:00" and rows["Best streak"].last == "0:00"
    assert rows["Upright"].last == "0%"
    assert rows["Steps/min"].last == "—"  # not stored last time: unknown, not zero
    first = {r.label: r for r in view().rows}
    assert first["Backward"].last is None  # no last session at all: no column


def test_the_title_fits_the_result() -> None:
    assert title_for(0.0, 2.5) != "Well done"
    assert title_for(None, 0.0) == "Session ended"
    assert title_for(92.0, 2.5) == "Well done"
    warmup_only = dict(sample_summary(), backward_minutes=0.0)
    assert view(summary=warmup_only).title == "Session ended"


def test_the_lean_chart_is_centred_on_the_baseline_and_agrees_with_upright() -> None:
    s = view()
    lo, hi = s.lean_band
    # every second inside the band was upright, every second marked not upright is outside
    for rel, out in zip(s.lean_rel, s.not_upright, strict=True):
        assert rel is not None
        assert (lo <= rel <= hi) == (not out)
    share = 100.0 * (1 - sum(s.not_upright) / len(s.not_upright))
    assert s.pct_upright == pytest.approx(share, abs=100 / len(s.not_upright))
    assert s.times[0] == 0.0 and s.times[-1] == 149.0


def test_deltas_and_personal_bests() -> None:
    last = {"backward_minutes": 2.0, "longest_streak_s": 90.0, "upright_percent": 70.0}
    bests = personal_bests([last, {"backward_minutes": 2.2}, None])
    assert bests == {"backward_minutes": 2.2, "longest_streak_s": 90.0, "upright_percent": 70.0}
    rows = {r.label: r for r in view(last=last, bests=bests).rows}
    assert rows["Backward"].trend == 1 and rows["Backward"].best  # 2.5 min beats 2.2
    assert rows["Best streak"].trend == -1 and not rows["Best streak"].best  # 75 s < 90 s


def test_the_suggestion_is_one_well_formed_sentence() -> None:
    assert one_sentence("try 3 minutes next time.  Keep the rails.") == "Try 3 minutes next time."
    assert one_sentence("").endswith(".")


def test_every_block_says_which_way_to_walk() -> None:
    plan = SessionPlan.from_config(BackstepConfig()).with_intervals(60, 60)
    words = [b.instruction for b in plan.blocks]
    assert words[0] == "Walk FORWARD · 2 mph"  # the warm-up faces the console
    assert all("BACKWARD" in b.instruction for b in plan.blocks if b.is_backward)
    assert all(b.direction for b in plan.blocks if b.kind != "rest")


def test_the_block_bar_names_what_comes_next() -> None:
    cfg = BackstepConfig()
    run = SessionRun(cfg, SessionPlan.from_config(cfg), "Ada")
    run.start(0.0)
    plan = run.plan.blocks
    first = run.view(0.0)
    assert first.instruction == plan[0].instruction == "Walk FORWARD · 2 mph"
    assert first.next_instruction.startswith("BACKWARD")  # the warm-up turns round next
    t = sum(b.seconds for b in plan[:-1]) + 1.0
    run.update(t, None, [])
    last = run.view(t)
    assert last.next_instruction == "Finish"
    assert [s for s, _ in last.blocks] == [b.seconds for b in plan]


def test_without_a_baseline_the_chart_uses_the_limits_from_vertical() -> None:
    limits = Limits(10.0, 8.0, 8.0, 30.0, 25.0, 15.0)
    s = summary_view(sample_summary(), limits, None, "", baseline_lean_deg=None)
    assert s.lean_band == (-25.0, 30.0) and s.lean_label == "Trunk lean from vertical"
    with_baseline = summary_view(sample_summary(), limits, None, "", baseline_lean_deg=5.0)
    assert with_baseline.lean_band == (-8.0, 10.0) and with_baseline.lean_label == "Trunk lean"


def test_the_total_counts_the_sessions_clock_not_only_short_frame_gaps() -> None:
    """Issue 22: a station delivering a frame every 2 s showed a Total of 0:00."""
    cfg = BackstepConfig()
    run = SessionRun(cfg, SessionPlan.from_config(cfg), "Ada")
    run.start(0.0)
    for i in range(31):  # 60 s of session, one pose every 2 s (a slow station)
        metrics = FrameMetrics(posture="upright", trunk_lean_deg=1.0)
        run.update(2.0 * i, FrameResult(i, 2.0 * i, None, (640, 480), metrics=metrics), [])
    summary = run.finish(60.0, "stopped")
    assert summary["active_s"] == 0.0  # every gap was over 1 s: the old count saw nothing
    assert summary["session_s"] == 60.0
    view = summary_view(summary, Limits(), None, "")
    assert view.total_minutes == 1.0
