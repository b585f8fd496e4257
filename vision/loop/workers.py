"""Several pose models at once: frames taken in turn, results put back in frame order.

MediaPipe's Tasks API runs a model on one core and releases the GIL inside
``detect_for_video``, so N landmarkers in N threads use N cores (measured on 2 cores:
1.74-1.89x). Each worker owns its landmarker (VIDEO mode keeps tracking state, so one
instance must see its frames in time order: each worker takes increasing frame indices).
Member selection, the One Euro filter and the gait analysis keep state across frames, so
they run on results in frame order (`ReorderBuffer`), one at a time, each frame with its
own capture time. A result that comes back after a newer one was handed on is dropped,
never slipped in behind it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from vision.pose.estimator import PoseEstimator
from vision.types import Frame, FrameResult

if TYPE_CHECKING:
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: A live frame whose result has not come back after this long is given up on (a stuck
#: worker must not hold every newer result back); it is dropped if it comes back later.
GIVE_UP_S = 1.0
#: Frames queued per worker when every frame is analysed (``analyze``): enough to keep
#: each worker busy, few enough not to hold much memory.
_OFFLINE_QUEUE = 2


class SplitPipeline(Protocol):
    """What the workers need of `vision.loop.pipeline.FramePipeline`: its two halves."""

    def infer(self, frame: Frame, estimator: PoseEstimator | None = None) -> Any:
        """The model's half (any thread, its own estimator)."""
        ...

    def finish(self, inferred: Any) -> FrameResult:
        """The ordered half (one thread at a time, frames in order)."""
        ...


class ReorderBuffer(Generic[T]):
    """Hands results on in sequence order, waiting for older ones still being worked on.

    `expect` a sequence number when its frame is handed to a worker; `put` its result (or
    `abandon` it when the worker failed). Both return the results now due, oldest first.
    A result older than one already handed on is ``late``: it is counted and dropped. With
    ``give_up_s``, a result missing for that long stops holding newer ones back.
    Not thread-safe: the caller serialises.
    """

    def __init__(
        self, give_up_s: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.give_up_s = give_up_s
        self.clock = clock
        self.late = 0
        self.given_up = 0
        self._pending: dict[int, float] = {}
        self._ready: dict[int, T] = {}
        self._last_out: int | None = None

    @property
    def waiting(self) -> int:
        """Results held back until an older one arrives."""
        return len(self._ready)

    def expect(self, seq: int) -> None:
        """``seq`` was handed to a worker; newer results wait for it."""
        self._pending[seq] = self.clock()

    def put(self, seq: int, item: T) -> list[T]:
        """``seq``'s result; returns the results now due, in order (maybe none)."""
        if self._pending.pop(seq, None) is None and (
            self._last_out is not None and seq <= self._last_out
        ):
            self.late += 1
            return []
        self._ready[seq] = item
        return self._release()

    def poll(self) -> list[T]:
        """The results now due without a new one (an overdue one may have been given up)."""
        return self._release()

    def abandon(self, seq: int) -> list[T]:
        """``seq`` will not come (its frame failed); returns the results now due."""
        self._pending.pop(seq, None)
        return self._release()

    def _release(self) -> list[T]:
        if self.give_up_s is not None:
            now = self.clock()
            for seq, since in sorted(self._pending.items()):
                if now - since <= self.give_up_s:
                    break
                del self._pending[seq]
                self.given_up += 1
                logger.debug("result %d overdue by %.2f s: not waiting for it", seq, now - since)
        out: list[T] = []
        oldest_pending = min(self._pending) if self._pending else None
        while self._ready:
            seq = min(self._ready)
            if oldest_pending is not None and oldest_pending < seq:
                break
            out.append(self._ready.pop(seq))
            self._last_out = seq
        return out


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

    def _infer(self, seq: int, frame: Frame, estimator: PoseEstimator | None) -> None:
        try:
            inferred = self.pipeline.infer(frame, estimator)
        except Exception as exc:
            self._deliver(seq, None)
            self._failed(exc)
            return
        self._deliver(seq, inferred)

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
            try:
                while not self.stop_event.is_set():
                    # Results held back by a stuck worker's frame go on once it is overdue,
                    # even while no other result arrives.
                    self._deliver(None, None)
                    with self._take_lock:
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
                    self._infer(seq, frame, estimator)
            finally:
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
                while True:
                    item = queues[worker].get()
                    if item is None:
                        return
                    self._infer(item[0], item[1], estimators[worker])

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

    def _start_threads(self, work: Callable[[int], None]) -> list[threading.Thread]:
        """The workers, then the finishing thread (last in the list)."""
        threads = [
            threading.Thread(target=work, args=(i,), name=f"backstep-pose-{i}", daemon=True)
            for i in range(self.workers)
        ]
        threads.append(
            threading.Thread(target=self._finish_due, name="backstep-pose-finish", daemon=True)
        )
        for thread in threads:
            thread.start()
        return threads

    def _join(self, threads: list[threading.Thread]) -> None:
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
