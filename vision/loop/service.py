"""The kiosk's vision service: capture and inference threads behind a non-blocking API."""

from __future__ import annotations

import logging
import queue
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vision.loop.capture import CaptureThread
from vision.loop.pipeline import (
    FramePipeline,
    build_pipeline,
    estimator_factory,
    run_pipeline,
)
from vision.loop.reconfigure import rebuild_analysis, set_analyzer_baseline
from vision.loop.status import ModelState, VisionStatus
from vision.metrics.baseline import Baseline, BaselineCollector
from vision.pose.estimator import PoseEstimator
from vision.pose.model import ensure_model
from vision.retry import Backoff
from vision.settings import ZoneConfig
from vision.sources.base import FrameSource
from vision.threads import WorkerThread
from vision.types import Event, Frame, FrameResult

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig

logger = logging.getLogger(__name__)

#: Events kept for the UI between two `drain_events` calls; the oldest go first if the UI
#: stalls (it is told nothing is lost that matters: steps and faults are also in metrics).
EVENT_BUFFER = 512
#: Inference times kept for the status screen's median.
_INFER_WINDOW = 60
#: Pose rate is measured over this many seconds.
_FPS_WINDOW_S = 2.0
#: Retry delays after a model that fails to load (first, then doubling up to the last).
_MODEL_RETRY_S = (2.0, 60.0)
_JOIN_TIMEOUT_S = 5.0
#: The model starts loading once the camera's first frame is in, or after this long.
_FIRST_FRAME_WAIT_S = 0.5


class VisionService:
    """Camera, pose model and analysis for the kiosk, each in its own thread.

    `start` returns at once: the capture thread opens the source and the inference thread
    loads the model (a second or so, longer on a Pi), so the UI shows its "starting" screen
    meanwhile and polls `is_ready`. The inference thread takes the newest frame (stale ones
    are skipped, never queued), runs the shared `FramePipeline`, and publishes the result
    in a one-slot holder. With ``vision.pose_workers`` > 1 that many inference threads take
    the newest frames in turn, each with its own model (the extra ones load while the first
    already works), and results are published in frame order (`vision.loop.workers`);
    events go to a bounded buffer for `drain_events`. Every method is safe to call from
    the UI thread and none blocks on inference. Changes (zone, baseline,
    session reset) are handed to the inference thread and apply from the next frame.
    No exception leaves a thread: it is logged, shown as ``last_error``, and work goes on.
    """

    def __init__(
        self,
        config: VisionConfig,
        source_override: str | None = None,
        *,
        model_path: Path | None = None,
        source_factory: Callable[[], FrameSource] | None = None,
    ) -> None:
        self.config = config
        self.source_override = source_override
        # A factory replaces the config's source (tests: a camera that dies and comes back);
        # the capture thread calls it again for every reconnect.
        self._source_factory = source_factory
        self._model_path = model_path
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._capture: CaptureThread | None = None
        self._worker = WorkerThread(
            self._run, "backstep-inference", _JOIN_TIMEOUT_S, stopping=self._stop
        )
        self._commands: queue.SimpleQueue[Callable[[FramePipeline], None]] = queue.SimpleQueue()
        # Guarded by _lock:
        self._latest: tuple[Frame, FrameResult] | None = None
        self._events: deque[Event] = deque(maxlen=EVENT_BUFFER)
        self._model_state: ModelState = "loading"
        self._last_error: str | None = None
        self._infer_ms: deque[float] = deque(maxlen=_INFER_WINDOW)
        self._result_times: deque[float] = deque()
        self._processed = 0
        self._skipped = 0
        self._last_index: int | None = None
        self._zone = config.zone
        self._collector: BaselineCollector | None = None
        self._baseline: Baseline | None = None
        self._incline = 0.0
        self._walking: tuple[str | None, str | None] = (None, None)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start capture and inference (once; never blocks on the camera or the model)."""
        with self._lock:
            if self._worker.is_started:
                return
            if self._stop.is_set():
                raise RuntimeError("a stopped VisionService cannot be restarted; make a new one")
            if self._source_factory is not None:
                cam = self.config.camera
                self._capture = CaptureThread(
                    self._source_factory,
                    reconnect_min_s=cam.reconnect_min_s,
                    reconnect_max_s=cam.reconnect_max_s,
                )
            else:
                self._capture = CaptureThread.from_config(self.config.camera, self.source_override)
        self._capture.start()
        self._worker.start()

    def stop(self) -> None:
        """Stop both threads and release the camera and model; safe to call twice."""
        self._stop.set()
        capture = self._capture
        if capture is not None:
            capture.stop()
        self._worker.stop()
        with self._lock:
            self._model_state = "stopped"

    close = stop

    def __enter__(self) -> VisionService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def is_ready(self) -> bool:
        """True when the camera delivers frames and the model is loaded."""
        capture = self._capture
        with self._lock:
            model_ok = self._model_state == "ready"
        return model_ok and capture is not None and capture.status.is_ok

    # -- what the UI reads -------------------------------------------------------------

    def latest_frame(self) -> Frame | None:
        """The newest camera frame (for the live view), or None before the first."""
        capture = self._capture
        return capture.latest() if capture is not None else None

    def latest_result(self) -> FrameResult | None:
        """The newest analysed frame's result, or None before the first."""
        with self._lock:
            return self._latest[1] if self._latest is not None else None

    def drain_events(self) -> list[Event]:
        """Events since the last call, oldest first."""
        with self._lock:
            events = list(self._events)
            self._events.clear()
        return events

    def status(self) -> VisionStatus:
        """A consistent snapshot of camera, model and speed."""
        capture = self._capture
        cap = capture.status if capture is not None else None
        now = time.monotonic()
        with self._lock:
            times = self._result_times
            while times and now - times[0] > _FPS_WINDOW_S:
                times.popleft()
            pose_fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) >= 2 else 0.0
            infer = statistics.median(self._infer_ms) if self._infer_ms else None
            model_state, last_error = self._model_state, self._last_error
            processed, skipped = self._processed, self._skipped
        if cap is not None and cap.last_error and (last_error is None or cap.state == "lost"):
            last_error = cap.last_error
        return VisionStatus(
            camera=cap.state if cap is not None else "starting",
            source=cap.source_name if cap is not None else "",
            capture_fps=cap.fps if cap is not None else 0.0,
            pose_fps=pose_fps,
            dropped=cap.dropped if cap is not None else 0,
            skipped=skipped,
            frames_processed=processed,
            model=model_state,
            model_path=self._model_path,
            last_error=last_error,
            infer_ms_p50=infer,
            is_ready=model_state == "ready" and cap is not None and cap.is_ok,
        )

    # -- what the UI changes -----------------------------------------------------------

    def set_zone(self, zone: ZoneConfig) -> None:
        """Move the treadmill zone (staff screen); applies from the next analysed frame."""
        with self._lock:
            self._zone = zone
        self._commands.put(lambda p: p.set_zone(zone))

    @property
    def zone(self) -> ZoneConfig:
        """The zone last asked for."""
        with self._lock:
            return self._zone

    def reset_session(self) -> None:
        """Forget the member, filters and gait (a new member starts); keeps the baseline."""
        self._commands.put(lambda p: p.reset())

    def apply_config(self, config: VisionConfig) -> None:
        """Use a reloaded config's analysis settings from the next analysed frame.

        posture, gait, core, safety, camera.view, smoothing and zone take effect: the
        inference thread builds a new analyzer and smoother between two frames (filters and
        gait history start afresh) and gives the analyzer the baseline in force, so the
        member keeps theirs. Camera device and model settings need a restart.
        """
        with self._lock:
            self.config = config
            self._zone = config.zone
            baseline, incline = self._baseline, self._incline
            walking = self._walking

        def rebuild(p: FramePipeline) -> None:
            rebuild_analysis(p, config, baseline, incline)
            set_walking = getattr(p.analyzer, "set_walking", None)
            if callable(set_walking):
                set_walking(*walking)  # the block's direction outlives a reload

        self._commands.put(rebuild)

    def set_incline(self, percent: float) -> None:
        """The deck's grade for posture limits, if the analyzer supports it."""
        with self._lock:
            self._incline = percent

        def apply(p: FramePipeline) -> None:
            set_incline = getattr(p.analyzer, "set_incline", None)
            if callable(set_incline):
                set_incline(percent)

        self._commands.put(apply)

    def set_walking(self, direction: str | None, console_side: str | None = None) -> None:
        """The block's walking direction and the console's image side, for drift."""
        with self._lock:
            self._walking = (direction, console_side)

        def apply(p: FramePipeline) -> None:
            set_walking = getattr(p.analyzer, "set_walking", None)
            if callable(set_walking):
                set_walking(direction, console_side)

        self._commands.put(apply)

    def start_baseline(self) -> None:
        """Start collecting a standing baseline over ``posture.baseline_seconds``."""
        posture = self.config.posture
        collector = BaselineCollector(
            posture.baseline_seconds, posture=posture, view=self.config.camera.view
        )
        with self._lock:
            self._collector = collector

    def baseline_progress(self) -> float | None:
        """0..1 while (or after) collecting; None when no collection was started."""
        with self._lock:
            collector = self._collector
        return collector.progress if collector is not None else None

    def baseline_walking(self) -> bool:
        """True when the baseline being collected is a walking one (the member walks)."""
        with self._lock:
            collector = self._collector
        return bool(collector is not None and collector.walking)

    @property
    def baseline(self) -> Baseline | None:
        """The baseline in force: the last one collected or set (None = absolute limits)."""
        with self._lock:
            return self._baseline

    def set_baseline(self, baseline: Baseline | None) -> None:
        """Judge posture relative to ``baseline`` (a member's stored one), or absolutely."""
        with self._lock:
            self._baseline = baseline
            self._collector = None
        self._commands.put(lambda p: set_analyzer_baseline(p, baseline))

    # -- the inference thread ----------------------------------------------------------

    def _run(self) -> None:
        pipeline: FramePipeline | None = None
        try:
            # The first camera frame before MediaPipe's import and model load: both hold
            # the GIL for long stretches, and the first frame on screen is what a member
            # sees first (measured: 0.04-0.1 s alone, 0.2-0.4 s alongside the model load).
            capture = self._capture
            if capture is not None:
                capture.wait_newer(None, _FIRST_FRAME_WAIT_S)
            pipeline = self._load_pipeline()
            if pipeline is None:
                return
            assert capture is not None
            self._apply_commands(pipeline)
            workers = self.config.vision.workers()
            logger.info("pose workers: %d", workers)
            run_pipeline(
                capture,
                pipeline,
                lambda result: self._publish(pipeline, result),
                self._stop,
                exit_when_exhausted=False,
                on_error=self._frame_failed,
                workers=workers,
                estimator_factory=self._estimator_factory(),
            )
        except Exception as exc:  # the last line of defence: log, show, never raise
            logger.exception("inference thread failed")
            self._set_error(f"inference stopped: {exc}", state="error")
        finally:
            if pipeline is not None:
                try:
                    pipeline.close()
                except Exception as exc:
                    logger.debug("closing the pipeline failed: %s", exc)

    def _load_pipeline(self) -> FramePipeline | None:
        """Provision and load the model, retrying with backoff; None if stopped first."""
        backoff = Backoff(*_MODEL_RETRY_S)
        while not self._stop.is_set():
            try:
                path = self._model_path or ensure_model(self.config.model)
                with self._lock:
                    zone = self._zone
                pipeline = build_pipeline(self.config, path, zone=zone)
            except Exception as exc:
                delay = backoff.next()
                logger.error("pose model not available: %s (retrying in %.0f s)", exc, delay)
                self._set_error(str(exc), state="error")
                if self._stop.wait(delay):
                    return None
                continue
            with self._lock:
                self._model_path = path
                self._model_state = "ready"
            logger.info("vision ready: model %s", path)
            return pipeline
        return None

    def _estimator_factory(self) -> Callable[[], PoseEstimator]:
        """Extra pose workers' models: the same file and options as the first one."""
        assert self._model_path is not None
        return estimator_factory(self.config, self._model_path)

    def _apply_commands(self, pipeline: FramePipeline) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command(pipeline)
            except Exception as exc:
                logger.exception("a vision command failed")
                self._set_error(f"command failed: {exc}")

    def _publish(self, pipeline: FramePipeline, result: FrameResult) -> None:
        frame = pipeline.last_frame
        collector = self._collector
        finished: Baseline | None = None
        if collector is not None and not collector.is_done:
            collector.add(result.t, result.smoothed, result.frame_size)
            if collector.is_done:
                finished = collector.result()
        now = time.monotonic()
        with self._lock:
            if self._last_index is not None and result.frame_index > self._last_index + 1:
                self._skipped += result.frame_index - self._last_index - 1
            self._last_index = result.frame_index
            self._processed += 1
            if frame is not None:
                self._latest = (frame, result)
            self._events.extend(result.events)
            if "infer" in result.timings:
                self._infer_ms.append(result.timings["infer"] * 1000.0)
            self._result_times.append(now)
            if finished is not None and self._collector is collector:
                self._baseline = finished
        if finished is not None:
            set_analyzer_baseline(pipeline, finished)
            logger.info("%s baseline collected", finished.kind)
        self._apply_commands(pipeline)

    def _frame_failed(self, exc: Exception) -> None:
        logger.exception("a frame failed in the pipeline", exc_info=exc)
        self._set_error(f"frame failed: {exc}")

    def _set_error(self, message: str, state: ModelState | None = None) -> None:
        with self._lock:
            self._last_error = message
            if state is not None:
                self._model_state = state
