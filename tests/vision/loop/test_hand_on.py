"""A worker hands its result on as its next inference starts, and never waits with it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.doubles import ListCamera

from kiosk.config.schema import BackstepConfig
from vision.loop.ordering import Held
from vision.loop.pipeline import FramePipeline, build_pipeline, estimator_factory
from vision.loop.workers import WorkerPool
from vision.pose.estimator import PoseEstimator
from vision.types import Frame, FrameResult, Pose

#: How long the stand-in estimator takes to get a frame ready for the model: far longer than
#: the ordered half of a frame, so a result handed on at once would be out before it ends.
PREPARE_S = 0.05


class LoggingEstimator:
    """The real estimator, slow to prepare, logging when each frame's model starts and ends."""

    def __init__(self, inner: PoseEstimator, log: list[tuple[str, int]]) -> None:
        self.inner = inner
        self.log = log
        self.timings: dict[str, float] = {}

    def detect(self, frame: Frame, before_infer: Callable[[], None] | None = None) -> list[Pose]:
        def starting() -> None:
            time.sleep(PREPARE_S)
            self.log.append(("start", frame.index))
            if before_infer is not None:
                before_infer()

        poses = self.inner.detect(frame, starting)
        self.log.append(("done", frame.index))
        self.timings = self.inner.timings
        return poses

    def close(self) -> None:
        self.inner.close()


class SlowCamera:
    """A stand-in for `CaptureThread` that shows frame k+1 only once frame k's result is out.

    A worker that held a result until the next frame came would wait here for ever; after
    ``patience_s`` the camera gives up (and says so), so such a worker fails, not hangs.
    """

    def __init__(self, frames: list[Frame], patience_s: float = 5.0) -> None:
        self.frames = frames
        self.patience_s = patience_s
        self.shown = 1
        self.gave_up = False
        self.is_running = True
        self._cond = threading.Condition()

    def result_out(self, index: int) -> None:
        with self._cond:
            self.shown = max(self.shown, index + 2)
            self._cond.notify_all()

    def wait_newer(self, after_index: int | None, timeout: float) -> Frame | None:
        deadline = time.monotonic() + self.patience_s
        with self._cond:
            while True:
                for frame in self.frames[: self.shown]:
                    if after_index is None or frame.index > after_index:
                        return frame
                if self.shown >= len(self.frames) or self.gave_up:
                    self.is_running = False
                    return None
                if timeout <= 0:
                    return None  # asked only whether a frame is waiting
                if not self._cond.wait(deadline - time.monotonic()):
                    self.gave_up = True


def pool_for(
    pipeline: FramePipeline,
    workers: int,
    on_result: Callable[[FrameResult], None],
    factory: Callable[[], PoseEstimator] | None = None,
) -> WorkerPool:
    return WorkerPool(
        pipeline,
        workers,
        factory or (lambda: pipeline.estimator),
        on_result,
        threading.Event(),
        wait_s=0.1,
    )


def test_held_hands_on_once_and_in_the_order_given() -> None:
    delivered: list[tuple[int, str]] = []
    held: Held[str] = Held(lambda seq, item: delivered.append((seq, item)))
    held.hand_on()  # nothing held: nothing goes on
    held.hold(0, "a")
    assert delivered == []
    held.hold(1, "b")  # a newer result pushes the held one on first
    assert delivered == [(0, "a")]
    held.hand_on()
    held.hand_on()
    assert delivered == [(0, "a"), (1, "b")]


def test_a_result_goes_on_as_the_next_inference_starts_when_a_frame_waits(
    model_path: Path, single_person_frames: list[Frame]
) -> None:
    config = BackstepConfig()
    pipeline = build_pipeline(config, model_path)
    log: list[tuple[str, int]] = []
    pipeline.estimator = LoggingEstimator(pipeline.estimator, log)
    pool = pool_for(pipeline, 1, lambda result: log.append(("result", result.frame_index)))
    deliver = pool._deliver

    def logged_deliver(seq: int | None, inferred: Any) -> None:
        if seq is not None:
            log.append(("handed on", seq))  # the worker's own thread: in its true place
        deliver(seq, inferred)

    pool._deliver = logged_deliver  # type: ignore[method-assign]
    try:
        pool.run_live(ListCamera(single_person_frames[:8]), exit_when_exhausted=True)
    finally:
        pipeline.close()
    assert [i for what, i in log if what == "result"] == list(range(8))
    for k in range(7):
        # Frame k's result was held through frame k+1's slow preparation and handed on as
        # k+1's model started, before it ended: the ordered half of k ran while the model
        # worked on k+1, not while the worker got k+1 ready.
        start, handed, done = (
            log.index(e) for e in (("start", k + 1), ("handed on", k), ("done", k + 1))
        )
        assert start < handed < done


@pytest.mark.parametrize("workers", [1, 2])
def test_a_result_is_never_held_while_the_worker_waits_for_a_frame(
    model_path: Path, single_person_frames: list[Frame], workers: int
) -> None:
    config = BackstepConfig()
    pipeline = build_pipeline(config, model_path)
    camera = SlowCamera(single_person_frames[:5])
    results: list[FrameResult] = []

    def on_result(result: FrameResult) -> None:
        results.append(result)
        camera.result_out(result.frame_index)

    # With 2 workers the other one waits for the camera while holding the right to take a
    # frame: a worker done with frame k must not wait behind it with k's result.
    pool = pool_for(
        pipeline, workers, on_result, estimator_factory(config, model_path, backend="mediapipe")
    )
    try:
        pool.run_live(camera, exit_when_exhausted=True)
    finally:
        pipeline.close()
    assert not camera.gave_up  # every frame came because the previous result was out
    assert [r.frame_index for r in results] == list(range(5))
