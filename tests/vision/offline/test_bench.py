"""``backstep bench``: bare model versus full pipeline, reported as a table or JSON."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main

BENCH_KEYS = {
    "bare_fps",
    "pipeline_fps",
    "ratio",
    "latency_ms_p95",
    "rss_mb",
    "overhead_ms_p50",
    "runs",
    "harness_mb",
    "first_pose_s",
}


@pytest.mark.slow
def test_bench_json_prints_one_json_object_as_the_last_line(single_person_clip: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", str(single_person_clip), "--json", "--frames", "20", "--workers", "1,2"]
    )
    assert result.exit_code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    report = json.loads(last)
    assert set(report) >= BENCH_KEYS
    assert report["bare_fps"] > 0 and report["pipeline_fps"] > 0
    assert report["ratio"] == pytest.approx(report["pipeline_fps"] / report["bare_fps"], abs=0.01)
    assert report["rss_mb"] > 0
    assert report["first_pose_s"] is not None  # the clip shows a person from frame 0
    assert report["frames"] == 20
    assert [run["workers"] for run in report["runs"]] == [1, 2]
    # The bare model and 1 worker are each measured twice (first and last) and keep their
    # faster run; 2 workers once.
    assert len(report["backends"][0]["bare_fps_runs"]) == 2
    assert report["bare_fps"] == max(report["backends"][0]["bare_fps_runs"])
    one, two = report["runs"]
    assert len(one["fps_runs"]) == 2 and one["fps"] == max(one["fps_runs"])
    assert two["fps_runs"] == [two["fps"]]
    for run in report["runs"]:
        # The man stands in every frame and the replay keeps his motion continuous (back and
        # forth, on the clip's own clock), however many frames a busy machine drops: counted
        # by eye, all 20 frames show him in full on the zone.
        assert run["fps"] > 0 and run["latency_ms_p95"] > 0 and run["person_share"] >= 0.9
        assert run["rss_mb"] > 50  # Python, OpenCV, MediaPipe and a model at the least
    # The bench's own frame buffers, reported apart from (and taken off) the pipeline's RSS:
    # 20 distinct 640x480 RGB frames.
    assert report["harness_mb"] == pytest.approx(20 * 640 * 480 * 3 / 2**20, abs=0.01)
    assert set(report["speedup"]) == {"1", "2"} and report["speedup"]["1"] == 1.0
    assert set(report["targets"]) == {"ratio", "speedup_2", "overhead", "latency", "rss"}


@pytest.mark.slow
def test_bench_prints_a_markdown_table_without_json(single_person_clip: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", str(single_person_clip), "--frames", "10", "--workers", "1"]
    )
    assert result.exit_code == 0, result.stderr
    for words in ("bare model", "| pose workers | frames/s |", "| 1 |", "load average"):
        assert words in result.stdout
    assert "kept their faster run" in result.stdout


@pytest.mark.slow
def test_bench_cores_pins_every_thread(single_person_clip: Path) -> None:
    import os

    saved = os.sched_getaffinity(0)
    try:
        result = CliRunner().invoke(
            main,
            ["bench", str(single_person_clip), "--json", "--frames", "10", "--cores", "1"],
        )
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout.strip().splitlines()[-1])["cores"] == 1
        tasks = os.listdir("/proc/self/task")
        assert all(len(os.sched_getaffinity(int(t))) == 1 for t in tasks)
    finally:
        for tid in os.listdir("/proc/self/task"):
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(int(tid), saved)


def test_bench_refuses_more_cores_than_it_may_use(single_person_clip: Path) -> None:
    result = CliRunner().invoke(main, ["bench", str(single_person_clip), "--cores", "256"])
    assert result.exit_code != 0 and "may use" in result.output


def test_bench_refuses_bad_worker_counts() -> None:
    result = CliRunner().invoke(main, ["bench", "--workers", "0,two"])
    assert result.exit_code != 0 and "1-8" in result.output


def test_the_bare_benchmark_loads_the_model_as_the_estimator_does(tmp_path: Path) -> None:
    # One landmarker builder: a missing model is the estimator's clear ModelError here too.
    from kiosk.config.schema import BackstepConfig
    from vision.errors import ModelError
    from vision.offline.bench_bare import bench_bare

    with pytest.raises(ModelError, match="backstep model fetch"):
        bench_bare(tmp_path / "missing.task", BackstepConfig(), [])


@pytest.mark.slow
def test_bench_measures_each_backend_asked_for_in_that_order(single_person_clip: Path) -> None:
    pytest.importorskip("ai_edge_litert", reason="the LiteRT backend needs ai-edge-litert")
    args = ["--json", "--frames", "10", "--workers", "1", "--backend", "litert,mediapipe"]
    result = CliRunner().invoke(main, ["bench", str(single_person_clip), *args])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [b["backend"] for b in report["backends"]] == ["litert", "mediapipe"]
    assert report["backend"] == "litert"  # the top-level figures are the first backend's
    assert report["bare_fps"] == report["backends"][0]["bare_fps"]
    assert report["backends"][0]["threads"] == 1 and report["backends"][1]["threads"] is None
    for bench in report["backends"]:
        assert bench["bare_fps"] > 0
        assert [run["workers"] for run in bench["runs"]] == [1]
        assert all(run["backend"] == bench["backend"] for run in bench["runs"])
        assert bench["runs"][0]["person_share"] >= 0.9


@pytest.mark.slow
def test_bench_table_has_a_row_per_backend_and_worker_count(single_person_clip: Path) -> None:
    pytest.importorskip("ai_edge_litert", reason="the LiteRT backend needs ai-edge-litert")
    args = ["--frames", "10", "--workers", "1", "--backend", "mediapipe,litert"]
    result = CliRunner().invoke(main, ["bench", str(single_person_clip), *args])
    assert result.exit_code == 0, result.stderr
    assert "| backend | pose workers |" in result.stdout
    assert "| mediapipe | 1 |" in result.stdout and "| litert (1 thread) | 1 |" in result.stdout


def test_bench_refuses_an_unknown_backend() -> None:
    result = CliRunner().invoke(main, ["bench", "--backend", "onnx"])
    assert result.exit_code != 0 and "mediapipe, litert" in result.output


def test_memory_an_earlier_phase_freed_is_given_back_before_the_next_is_measured() -> None:
    from vision.offline.bench import give_back_freed_memory, rss_mb

    # 100 MB in 64 KB pieces (below glibc's mmap threshold, so on its heap, like the bare
    # phase's wrapped frames), then one more piece on top that stays: freeing the rest does
    # not shrink the heap by itself, and the pages stay counted as resident.
    pieces = [bytearray(64 * 1024) for _ in range(1600)]  # zero-filled: every page touched
    top = bytearray(64 * 1024)
    held = rss_mb()
    del pieces
    freed = rss_mb()
    if not give_back_freed_memory():
        pytest.skip("no glibc: nothing to give back with")
    assert freed > held - 20  # freeing alone gave (almost) nothing back
    assert rss_mb() < freed - 80
    assert len(top) == 64 * 1024
