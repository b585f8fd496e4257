"""Several pose models at once: frames taken in turn, results put back in frame order.

MediaPipe's Tasks API runs a model on one core and releases the GIL inside
``detect_for_video``, so N landmarkers in N threads use N cores (measured on 2 cores:
1.74-1.89x). Each worker owns its landmarker (VIDEO mode keeps tracking state, so one
instance must see its frames in time order: each worker takes increasing frame indices).
Member selection, the One Euro filter and the gait analysis keep state across frames, so
they run on results in frame order (`ReorderBuffer`), one at a time, each frame with its
own capture time. A result that comes back after a newer one was handed on is dropped,
never slipped in behind it.

A worker hands its result on only as its next inference starts (`Held`), when a frame is
already waiting: the finishing thread's Python then runs while the model runs without the
GIL, not while the worker prepares the next frame and needs the GIL itself (measured at
1 worker in six alternating runs: the worker's time between two inferences, p50, 0.47-0.51
ms against 0.52-0.73 ms when each result went on at once). The price: each result also
waits for the next frame's preparation (crop and wrap, ~0.3 ms here), and its hand-on
(microseconds) is timed as part of that next frame's "convert". With no frame waiting, or
another worker waiting for the camera first, the result goes on at once: a result is never
held back waiting for the camera.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from vision.loop.ordering import Held, ReorderBuffer
from vision.pose.estimator import PoseEstimator
from vision.threads import WorkerThread
from vision.types import Frame, FrameResult

if TYPE_CHECKING:
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

#: A live frame whose result has not come back after this long is given up on (a stuck
#: worker must not hold every newer result back); it is dropped if it comes back later.
GIVE_UP_S = 1.0
#: Frames queued per worker when every frame is analysed (``analyze``): enough to keep
#: each worker busy, few enough not to hold much memory.
_OFFLINE_QUEUE = 2


class SplitPipeline(Protocol):
    """What the workers need of `vision.loop.pipeline.FramePipeline`: its two halves."""

    def infer(
        self,
        frame: Frame,
        estimator: PoseEstimator | None = None,
        before_infer: Callable[[], None] | None = None,
    ) -> Any:
        """The model's half (any thread, its own estimator; ``before_infer`` as it starts)."""
        ...

    def finish(self, inferred: Any) -> FrameResult:
        """The ordered half (one thread at a time, frames in order)."""
        ...


class WorkerPool:
    """N inference threads around one `FramePipeline` (`vision.loop.pipeline.run_pipeline`).

    Worker 0 uses the pipeline's estimator; the others get theirs from
    ``estimator_factory``. Live (a `CaptureThread`): each idle worker takes the newest
    frame not yet taken and loads its own model in its own thread, so the first worker
    starts while the others load. Offline (a plain `FrameSource`): every frame is
    analysed, frame i by worker i mod N, so a run is repeatable.
    """

    def __init__(
        self,
        pipeline: SplitPipeline,
        workers: int,
        estimator_factory: Callable[[], PoseEstimator],
        on_result: Callable[[FrameResult], None],
        stop_event: threading.Event,
        *,
        on_error: Callable[[Exception], None] | None = None,
        wait_s: float = 0.5,
    ) -> None:
        if workers < 1:
            raise ValueError("need at least one worker")
        self.pipeline = pipeline
        self.workers = workers
        self.factory = estimator_factory
        self.on_result = on_result
        self.stop_event = stop_event
        self.on_error = on_error
        self.wait_s = wait_s
        self.processed = 0
        self.buffer: ReorderBuffer[Any] = ReorderBuffer()
        self._order_lock = threading.Lock()
        self._take_lock = threading.Lock()
        # Results due for the ordered half, oldest first, for the finishing thread.
        self._due: deque[Any] = deque()
        self._due_cond = threading.Condition(self._order_lock)
        self._inference_over = False
        self._seq = 0
        self._failure: BaseException | None = None

    # -- the ordered half --------------------------------------------------------------

    def _deliver(self, seq: int | None, inferred: Any) -> None:
        """Hand ``seq``'s result (None: it failed) to the buffer; queue what is now due.

        With ``seq`` None nothing new arrived: only what waited on an overdue frame goes on.
        """
        with self._order_lock:
            if seq is None:
                due = self.buffer.poll()
            elif inferred is None:
                due = self.buffer.abandon(seq)
            else:
                due = self.buffer.put(seq, inferred)
            if due:
                self._due.extend(due)
                self._due_cond.notify()

    def _finish_due(self) -> None:
        """The finishing thread: selection, smoothing, metrics and ``on_result``, in order.

        Its own thread, so that this work overlaps the next inference (MediaPipe releases
        the GIL while it infers) instead of sitting between two inferences: measured at 1
        worker, ~1 ms of a ~18 ms frame.
        """
        while True:
            with self._due_cond:
                while not self._due and not self._inference_over:
                    self._due_cond.wait()
                if not self._due:
                    return
                batch = list(self._due)
                self._due.clear()
            for item in batch:
                if self.stop_event.is_set():
                    break  # stopping: results nobody waits for any more are dropped
                try:
                    result = self.pipeline.finish(item)
                    self.on_result(result)
                except Exception as exc:
                    self._failed(exc)
                    continue
                self.processed += 1

    def _failed(self, exc: Exception) -> None:
        if self.on_error is None:
            if self._failure is None:
                self._failure = exc
            self.stop_event.set()
            return
        self.on_error(exc)

    def _infer(
        self, seq: int, frame: Frame, estimator: PoseEstimator | None, held: Held[Any]
    ) -> None:
        """Infer ``seq``; the previous result goes on as the model starts, this one is held."""
        try:
            inferred = self.pipeline.infer(frame, estimator, held.hand_on)
        except Exception as exc:
            held.hand_on()
            self._deliver(seq, None)
            self._failed(exc)
            return
        held.hold(seq, inferred)

    # -- live: newest frame first ------------------------------------------------------

    def run_live(self, capture: Any, exit_when_exhausted: bool) -> int:
        """Workers take the newest frames from ``capture`` until stopped; returns results."""
        self.buffer.give_up_s = GIVE_UP_S
        last_taken: list[int | None] = [None]

        def work(worker: int) -> None:
            estimator: PoseEstimator | None = None
            try:
                if worker > 0:
                    estimator = self.factory()
            except Exception as exc:
                logger.error("pose worker %d could not load its model: %s", worker, exc)
                self._failed(exc)
                return
            held: Held[Any] = Held(self._deliver)
            try:
                while not self.stop_event.is_set():
                    # Results held back by a stuck worker's frame go on once it is overdue,
                    # even while no other result arrives.
                    self._deliver(None, None)
                    if not self._take_lock.acquire(blocking=False):
                        # Another worker is taking a frame or waiting for the camera: the
                        # result must not wait behind it.
                        held.hand_on()
                        self._take_lock.acquire()
                    try:
                        frame = capture.wait_newer(last_taken[0], 0.0)
                        if frame is None:
                            held.hand_on()  # no frame waiting: the result must not wait too
                            frame = capture.wait_newer(last_taken[0], self.wait_s)
                        if frame is None:
                            if exit_when_exhausted and capture_finished(capture):
                                break
                            continue
                        last_taken[0] = frame.index
                        with self._order_lock:
                            seq = self._seq
                            self._seq += 1
                            self.buffer.expect(seq)
                    finally:
                        self._take_lock.release()
                    self._infer(seq, frame, estimator, held)
            finally:
                held.hand_on()
                if estimator is not None:
                    estimator.close()

        self._run_threads(work)
        return self.processed

    # -- offline: every frame, in turn -------------------------------------------------

    def run_all(self, source: FrameSource, exit_when_exhausted: bool) -> int:
        """Every frame of ``source``, frame i to worker i mod N; returns results."""
        estimators: list[PoseEstimator | None] = [None]
        try:
            for _ in range(1, self.workers):
                estimators.append(self.factory())
            queues: list[queue.Queue[tuple[int, Frame] | None]] = [
                queue.Queue(_OFFLINE_QUEUE) for _ in estimators
            ]

            def work(worker: int) -> None:
                held: Held[Any] = Held(self._deliver)
                try:
                    while True:
                        try:
                            item = queues[worker].get_nowait()
                        except queue.Empty:
                            held.hand_on()  # nothing queued: hand the last result on now
                            item = queues[worker].get()
                        if item is None:
                            return
                        self._infer(item[0], item[1], estimators[worker], held)
                finally:
                    held.hand_on()

            threads = self._start_threads(work)
            try:
                self._dispatch(source, queues, exit_when_exhausted)
            finally:
                for q in queues:
                    q.put(None)
                self._join(threads)
        finally:
            for estimator in estimators:
                if estimator is not None:
                    estimator.close()
        if self._failure is not None:
            raise self._failure
        return self.processed

    def _dispatch(
        self,
        source: FrameSource,
        queues: list[queue.Queue[tuple[int, Frame] | None]],
        exit_when_exhausted: bool,
    ) -> None:
        while not self.stop_event.is_set():
            frame = source.read()
            if frame is None:
                if exit_when_exhausted:
                    return
                self.stop_event.wait(self.wait_s)
                continue
            with self._order_lock:
                seq = self._seq
                self._seq += 1
                self.buffer.expect(seq)
            target = queues[seq % len(queues)]
            while not self.stop_event.is_set():
                try:
                    target.put((seq, frame), timeout=self.wait_s)
                    break
                except queue.Full:
                    continue

    # -- threads -----------------------------------------------------------------------

    def _start_threads(self, work: Callable[[int], None]) -> list[WorkerThread]:
        """The workers, then the finishing thread (last in the list)."""
        threads = [
            WorkerThread(functools.partial(work, i), f"backstep-pose-{i}")
            for i in range(self.workers)
        ]
        threads.append(WorkerThread(self._finish_due, "backstep-pose-finish"))
        for thread in threads:
            thread.start()
        return threads

    def _join(self, threads: list[WorkerThread]) -> None:
        """Wait for the workers, then let the finishing thread hand on what is left."""
        *workers, finisher = threads
        for thread in workers:
            thread.join()
        with self._due_cond:
            self._due.extend(self.buffer.poll())
            self._inference_over = True
            self._due_cond.notify()
        finisher.join()

    def _run_threads(self, work: Callable[[int], None]) -> None:
        self._join(self._start_threads(work))
        if self._failure is not None:
            raise self._failure


def capture_finished(capture: Any) -> bool:
    """True once a capture thread will deliver no more frames (ended or stopped)."""
    status = getattr(capture, "status", None)
    if status is not None and getattr(status, "state", None) == "ended":
        return True
    is_running = getattr(capture, "is_running", True)
    return not is_running
