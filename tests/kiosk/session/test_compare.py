"""Summary rows: each metric compared in its own direction, against last time and the best."""

from __future__ import annotations

from kiosk.session.compare import METRICS, compare_rows, personal_bests, trend

BY_KEY = {m.key: m for m in METRICS}


def test_more_is_better_for_steps_minutes_upright_core_and_the_streak() -> None:
    for key in ("steps", "backward_minutes", "upright_percent", "average_core_score"):
        assert trend(BY_KEY[key], 90.0, 80.0) == 1, key
        assert trend(BY_KEY[key], 80.0, 90.0) == -1, key
    assert trend(BY_KEY["longest_streak_s"], 60.0, 60.4) == 0  # under a second: the same


def test_fewer_safety_stops_is_better() -> None:
    stops = BY_KEY["safety_stops"]
    assert trend(stops, 0.0, 2.0) == 1
    assert trend(stops, 3.0, 1.0) == -1


def test_more_cadence_is_not_always_better() -> None:
    cadence = BY_KEY["average_cadence_spm"]
    band = (70.0, 120.0)
    assert trend(cadence, 110.0, 90.0, band) == 0  # both inside the range: the same
    assert trend(cadence, 135.0, 118.0, band) == -1  # faster, but now too fast: worse
    assert trend(cadence, 118.0, 135.0, band) == 1  # back inside the range: better
    assert trend(cadence, 75.0, 60.0, band) == 1  # a too-slow cadence speeding up: better


def test_rows_say_today_last_time_the_best_and_why_the_safety_stops() -> None:
    today = {
        "steps": 412,
        "backward_minutes": 3.0,
        "upright_percent": 82.0,
        "average_cadence_spm": 96.0,
        "average_core_score": 74.0,
        "safety": {"member_lost": 1, "drift_back": 1},
        "longest_streak_s": 95.0,
    }
    last = {"steps": 380, "backward_minutes": 2.5, "safety": {}, "longest_streak_s": 120.0}
    bests = personal_bests([last, {"steps": 400, "longest_streak_s": 130.0}])
    assert bests["steps"] == 400 and bests["longest_streak_s"] == 130.0
    assert "safety_stops" not in bests and "average_cadence_spm" not in bests
    rows = {r.label: r for r in compare_rows(today, last, bests)}
    assert (rows["Steps"].now, rows["Steps"].last, rows["Steps"].trend) == ("412", "380", 1)
    assert rows["Steps"].best and rows["Steps"].best_value == "400"  # a new best
    stops = rows["Safety stops"]
    assert (stops.now, stops.last, stops.trend) == ("2", "0", -1)
    assert stops.note == "out of view, too far back"
    assert rows["Best streak"].trend == -1 and not rows["Best streak"].best
    assert rows["Core"].last == "—"  # not stored last time: unknown, not zero
    first = compare_rows(today, None, {})
    assert all(r.last is None and r.trend is None for r in first)
