"""Pose workers: results in frame order, a late result dropped, real timestamps downstream."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from support.doubles import ListCamera

from kiosk.config.schema import BackstepConfig
from vision.loop import workers as workers_mod
from vision.loop.ordering import ReorderBuffer
from vision.loop.pipeline import FramePipeline, build_pipeline, estimator_factory
from vision.loop.workers import WorkerPool
from vision.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from vision.pose.smoothing import LandmarkSmoother
from vision.types import Frame, FrameResult, Pose


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_results_come_out_in_order_and_wait_for_older_ones() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer()
    for seq in range(4):
        buffer.expect(seq)
    assert buffer.put(1, "b") == []  # 0 is still being worked on
    assert buffer.put(3, "d") == []
    assert buffer.put(0, "a") == ["a", "b"]
    assert buffer.waiting == 1
    assert buffer.put(2, "c") == ["c", "d"]
    assert buffer.late == 0


def test_a_failed_frame_stops_holding_newer_results_back() -> None:
    buffer: ReorderBuffer[str] = ReorderBuffer()
    buffer.expect(0)
    buffer.expect(1)
    assert buffer.put(1, "b") == []
    assert buffer.abandon(0) == ["b"]


def test_an_overdue_result_is_given_up_and_dropped_when_it_comes_late() -> None:
    clock = Clock()
    buffer: ReorderBuffer[str] = ReorderBuffer(give_up_s=1.0, clock=clock)
    buffer.expect(0)
    buffer.expect(1)
    assert buffer.put(1, "b") == []  # 0 is not overdue yet
    clock.now = 1.5
    buffer.expect(2)
    assert buffer.put(2, "c") == ["b", "c"]  # 0 is given up: newer ones go on
    assert buffer.given_up == 1
    assert buffer.put(0, "a") == []  # never slipped in behind a newer result
    assert buffer.late == 1


class HeldEstimator:
    """A real MediaPipe estimator that holds its first frame until released."""

    def __init__(self, inner: PoseEstimator, release: threading.Event) -> None:
        self.inner = inner
        self.release = release
        self.held: int | None = None
        self.timings: dict[str, float] = {}

    def detect(self, frame: Frame, before_infer: Callable[[], None] | None = None) -> list[Pose]:
        if self.held is None:
            self.held = frame.index
            self.release.wait(10)
        poses = self.inner.detect(frame, before_infer)
        self.timings = self.inner.timings
        return poses

    def close(self) -> None:
        self.inner.close()


def run_live(
    pipeline: FramePipeline,
    frames: list[Frame],
    factory: object,
    workers: int,
    on_result: object = None,
) -> tuple[WorkerPool, list[FrameResult]]:
    results: list[FrameResult] = []

    def collect(result: FrameResult) -> None:
        results.append(result)
        if callable(on_result):
            on_result(result)

    pool = WorkerPool(pipeline, workers, factory, collect, threading.Event(), wait_s=0.1)  # type: ignore[arg-type]
    pool.run_live(ListCamera(frames), exit_when_exhausted=True)
    return pool, results


def test_a_result_that_comes_back_late_is_dropped_not_reordered_back_in(
    model_path: Path, single_person_frames: list[Frame], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers_mod, "GIVE_UP_S", 0.3)
    config = BackstepConfig()
    pipeline = build_pipeline(config, model_path, use_media_time=True)
    release = threading.Event()
    make = estimator_factory(config, model_path, backend="mediapipe")
    frames = single_person_frames[:40]
    held: list[HeldEstimator] = []

    def slow_worker() -> PoseEstimator:
        # The second worker's first frame is held until 10 newer results are out: far past
        # GIVE_UP_S, so they must not wait for it, and it must not come back in after them.
        held.append(HeldEstimator(make(), release))
        return held[-1]

    def on_result(result: FrameResult) -> None:
        first = held[0].held if held else None
        if first is not None and result.frame_index >= first + 10:
            release.set()

    try:
        pool, results = run_live(pipeline, frames, slow_worker, 2, on_result)
    finally:
        pipeline.close()
    indices = [r.frame_index for r in results]
    first = held[0].held
    assert first is not None
    assert indices == sorted(set(indices))  # strictly increasing: nothing re-ordered in
    assert first not in indices  # given up on, and dropped when it finally came back
    assert pool.buffer.late >= 1
    # Every frame was either handed on in order or dropped as late (on a loaded machine
    # another slow frame may be given up too; it is then dropped the same way).
    assert len(indices) + pool.buffer.late == 40


class RecordingSmoother(LandmarkSmoother):
    """The real One Euro smoother, noting the times it is fed."""

    def __init__(self) -> None:
        super().__init__(BackstepConfig().smoothing)
        self.times: list[float] = []

    def smooth(self, t: float, pose: Pose) -> Pose:
        self.times.append(t)
        return super().smooth(t, pose)


@pytest.mark.parametrize("workers", [2, 3])
def test_the_smoother_sees_each_frames_own_capture_time_in_order(
    model_path: Path, single_person_frames: list[Frame], workers: int
) -> None:
    config = BackstepConfig()
    pipeline = build_pipeline(config, model_path)  # the capture clock, as in the kiosk
    smoother = RecordingSmoother()
    pipeline.smoother = smoother
    # Capture times 1/30 s apart, as a camera's would be.
    frames = [
        Frame(image=f.image, t=100.0 + f.index / 30, index=f.index)
        for f in single_person_frames[:24]
    ]
    try:
        _, results = run_live(
            pipeline, frames, estimator_factory(config, model_path, backend="mediapipe"), workers
        )
    finally:
        pipeline.close()
    assert [r.frame_index for r in results] == list(range(24))
    expected = [100.0 + r.frame_index / 30 for r in results if r.pose is not None]
    assert smoother.times == pytest.approx(expected)


def test_workers_need_their_own_estimators(model_path: Path) -> None:
    config = BackstepConfig()
    made: list[MediaPipePoseEstimator] = []
    make = estimator_factory(config, model_path, backend="mediapipe")

    def factory() -> PoseEstimator:
        estimator = make()
        made.append(estimator)  # type: ignore[arg-type]
        return estimator

    pipeline = build_pipeline(config, model_path)
    try:
        run_live(pipeline, [], factory, 3)
    finally:
        pipeline.close()
    assert len(made) == 2  # worker 0 uses the pipeline's own
    assert all(e._landmarker is None for e in made)  # each closed by its worker
