"""The per-frame pipeline and its loop, on real inference over the fixture clips."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.config.schema import BackstepConfig
from vision.loop.capture import CaptureThread
from vision.loop.pipeline import STAGES, FramePipeline, build_pipeline, run_pipeline
from vision.settings import ZoneConfig
from vision.sources.video import VideoFileSource
from vision.types import Frame, FrameResult

EMPTY_FLOOR = ZoneConfig(x0=0.7, y0=0.75, x1=1.0, y1=1.0)


@pytest.fixture
def pipeline(model_path: Path) -> Iterator[FramePipeline]:
    p = build_pipeline(BackstepConfig(), model_path, use_media_time=True)
    yield p
    p.close()


def test_process_returns_the_member_smoothed_metrics_and_every_stage_timing(
    pipeline: FramePipeline, single_person_frames: list[Frame]
) -> None:
    results = [pipeline.process(f) for f in single_person_frames[:10]]
    last = results[-1]
    assert last.person and last.pose is not None and last.smoothed is not None
    assert last.frame_size == (360, 640)
    assert set(STAGES) <= set(last.timings)
    assert all(v >= 0 for v in last.timings.values())
    assert last.timings["total"] >= last.timings["infer"]
    assert last.metrics.view in ("side", "front")
    assert last.metrics.posture is not None
    # Landmarks come back in full-frame coordinates although the model saw a crop.
    hips = last.pose.image[[23, 24], :2].mean(axis=0)
    assert 0.3 < hips[0] < 0.7


def test_the_smoother_starts_afresh_after_the_member_is_lost(
    pipeline: FramePipeline, single_person_frames: list[Frame]
) -> None:
    frames = single_person_frames
    for f in frames[:5]:
        tracked = pipeline.process(f)
    # Smoothing lags a moving body: the smoothed pose is not the raw one ...
    assert tracked.smoothed is not None and tracked.pose is not None
    pipeline.set_zone(EMPTY_FLOOR)
    lost = pipeline.process(frames[5])
    assert not lost.person and lost.smoothed is None
    pipeline.set_zone(ZoneConfig())
    back = pipeline.process(frames[6])
    assert back.pose is not None and back.smoothed is not None
    # ... but the first pose after a loss passes through a reset filter unchanged.
    np.testing.assert_allclose(back.smoothed.image[:, :3], back.pose.image[:, :3])


def test_a_zone_change_takes_effect_on_the_next_frame(
    pipeline: FramePipeline, single_person_frames: list[Frame]
) -> None:
    frames = single_person_frames
    assert pipeline.process(frames[0]).person
    pipeline.set_zone(EMPTY_FLOOR)
    assert pipeline.zone != EMPTY_FLOOR  # pending until the processing thread picks it up
    assert not pipeline.process(frames[1]).person
    assert pipeline.zone == EMPTY_FLOOR


def test_run_pipeline_over_a_file_processes_every_frame_in_order_then_returns(
    pipeline: FramePipeline, single_person_clip: Path
) -> None:
    results: list[FrameResult] = []
    with VideoFileSource(single_person_clip, realtime=False) as source:
        count = run_pipeline(
            source, pipeline, results.append, threading.Event(), exit_when_exhausted=True
        )
    assert count == 50
    assert [r.frame_index for r in results] == list(range(50))
    assert [r.media_t for r in results] == pytest.approx([i / 30 for i in range(50)])


def test_run_pipeline_over_a_capture_thread_returns_when_the_file_ends(
    pipeline: FramePipeline, single_person_clip: Path
) -> None:
    results: list[FrameResult] = []
    capture = CaptureThread(
        lambda: VideoFileSource(single_person_clip, realtime=True), stop_at_end=True
    )
    with capture:
        run_pipeline(capture, pipeline, results.append, threading.Event(), exit_when_exhausted=True)
    assert results
    indices = [r.frame_index for r in results]
    assert indices == sorted(set(indices))  # newest-only: never a frame twice or backwards
    assert sum(r.person for r in results) >= 0.8 * len(results)


def test_run_pipeline_stops_when_the_stop_event_is_set(
    pipeline: FramePipeline, single_person_clip: Path
) -> None:
    stop = threading.Event()
    results: list[FrameResult] = []

    def on_result(result: FrameResult) -> None:
        results.append(result)
        if len(results) == 3:
            stop.set()

    with VideoFileSource(single_person_clip, realtime=False, loop=True) as source:
        run_pipeline(source, pipeline, on_result, stop, exit_when_exhausted=False)
    assert len(results) == 3


def test_an_error_in_one_frame_goes_to_on_error_and_the_loop_goes_on(
    pipeline: FramePipeline, single_person_clip: Path
) -> None:
    errors: list[Exception] = []
    seen: list[int] = []

    def on_result(result: FrameResult) -> None:
        seen.append(result.frame_index)
        if result.frame_index == 2:
            raise ValueError("a bad frame")

    with VideoFileSource(single_person_clip, realtime=False) as source:
        run_pipeline(
            source,
            pipeline,
            on_result,
            threading.Event(),
            exit_when_exhausted=True,
            on_error=errors.append,
        )
    assert len(seen) == 50
    assert len(errors) == 1 and "bad frame" in str(errors[0])


def test_without_on_error_a_frame_error_propagates(
    pipeline: FramePipeline, single_person_clip: Path
) -> None:
    def on_result(result: FrameResult) -> None:
        raise ValueError("a bad frame")

    with (
        VideoFileSource(single_person_clip, realtime=False) as source,
        pytest.raises(ValueError, match="bad frame"),
    ):
        run_pipeline(source, pipeline, on_result, threading.Event(), exit_when_exhausted=True)
