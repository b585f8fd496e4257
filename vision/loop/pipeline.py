"""The per-frame pipeline (crop, pose, member, smoothing, metrics) and the loop that drives it.

`FramePipeline.process` is THE per-frame code: the kiosk's `VisionService`, ``backstep
analyze`` and ``backstep bench`` all run it, so what is measured and tested is what runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from vision.loop.seams import SeamDetector, restart_motion
from vision.loop.workers import WorkerPool
from vision.metrics.analyzer import PostureAnalyzer
from vision.pose.backends import create_estimator
from vision.pose.estimator import PoseEstimator
from vision.pose.legs import LegTracker
from vision.pose.selection import MemberSelector, zone_crop
from vision.pose.smoothing import LandmarkSmoother
from vision.settings import ZoneConfig
from vision.types import Event, Frame, FrameMetrics, FrameResult, Pose

if TYPE_CHECKING:
    from vision.loop.capture import CaptureThread
    from vision.loop.config import VisionConfig
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

#: The stages timed in `FrameResult.timings` (seconds), in pipeline order. "convert" is the
#: crop, the wrapping for the model and the conversion of its output to arrays; "total" is
#: the whole `process` call, so total - infer is the pipeline's own overhead.
STAGES = ("convert", "infer", "select", "smooth", "metrics", "total")


class Smoother(Protocol):
    """What the pipeline needs of `vision.pose.smoothing.LandmarkSmoother`."""

    def smooth(self, t: float, pose: Pose) -> Pose: ...

    def reset(self) -> None: ...


class Analyzer(Protocol):
    """What the pipeline needs of `vision.metrics.analyzer.PostureAnalyzer`."""

    def update(
        self,
        t: float,
        pose: Pose | None,
        frame_size: tuple[int, int] | None = None,
        raw: Pose | None = None,
    ) -> tuple[FrameMetrics, list[Event]]: ...


@dataclass(slots=True)
class Inferred:
    """A frame after the model: its poses in full-frame coordinates, not yet analysed.

    ``seconds`` is the time `FramePipeline.infer` took (part of the "total" stage).
    """

    frame: Frame
    poses: list[Pose]
    timings: dict[str, float]
    seconds: float


class FramePipeline:
    """One frame in, one `FrameResult` out: crop to the zone, infer, select, smooth, analyse.

    The frame is cropped to the treadmill zone plus a margin before inference, and the
    landmarks are mapped back to the full frame (why: `vision.pose.selection`). ``crop_to_zone``
    turns that off (the estimator then sees the whole frame). ``use_media_time`` makes the
    smoother and analyzer run on the file position (``Frame.media_t``) rather than the
    capture clock: ``analyze`` decodes faster than real time, and cadence must come out in
    steps per minute of the video, not of the computer.

    `process` is `infer` then `finish`. `infer` may run in several threads at once, each
    with its own estimator (`vision.loop.workers`); `finish` runs in one thread at a time,
    on frames in order. `set_zone` may be called from any thread: the new zone is taken up
    at the start of the next `finish`, so a frame never sees half a change (a frame already
    cropped with the old zone is still judged by the new one: its landmarks are mapped back
    to the full frame, so nothing is misplaced).
    """

    def __init__(
        self,
        estimator: PoseEstimator,
        selector: MemberSelector,
        smoother: Smoother | None,
        analyzer: Analyzer | None = None,
        *,
        crop_to_zone: bool = True,
        use_media_time: bool = False,
    ) -> None:
        self.estimator = estimator
        self.selector = selector
        self.smoother = smoother
        self.analyzer = analyzer
        self.crop_to_zone = crop_to_zone
        self.use_media_time = use_media_time
        self._pending_zone: ZoneConfig | None = None
        self._zone_lock = threading.Lock()
        self._had_member = False
        self._seams = SeamDetector()
        self.legs = LegTracker()
        #: The frame of the last `process` call (the UI overlays a result on its own frame).
        self.last_frame: Frame | None = None

    @property
    def zone(self) -> ZoneConfig:
        """The zone in force (a pending change shows from the next frame)."""
        return self.selector.zone

    def set_zone(self, zone: ZoneConfig) -> None:
        """Use ``zone`` from the next frame on (thread-safe)."""
        with self._zone_lock:
            self._pending_zone = zone

    def _apply_pending_zone(self) -> None:
        with self._zone_lock:
            zone, self._pending_zone = self._pending_zone, None
        if zone is None:
            return
        # MediaPipe's tracker keeps its region from the old crop for one frame; a wrong
        # pose from it falls outside the new zone or the tracker re-detects: no reset needed.
        self.selector.set_zone(zone)
        self.selector.reset()
        set_analyzer_zone = getattr(self.analyzer, "set_zone", None)
        if callable(set_analyzer_zone):
            set_analyzer_zone(zone)
        logger.info(
            "treadmill zone now x %.2f-%.2f, y %.2f-%.2f", zone.x0, zone.x1, zone.y0, zone.y1
        )

    def analysis_time(self, frame: Frame) -> float:
        """The clock the smoother and analyzer see for ``frame`` (seconds)."""
        if self.use_media_time and frame.media_t is not None:
            return frame.media_t
        return frame.t

    def process(self, frame: Frame) -> FrameResult:
        """Run every stage on ``frame``; stage times (seconds) go to ``result.timings``."""
        return self.finish(self.infer(frame))

    def infer(
        self,
        frame: Frame,
        estimator: PoseEstimator | None = None,
        before_infer: Callable[[], None] | None = None,
    ) -> Inferred:
        """The stages that may run on several frames at once: crop, the model, back to the frame.

        ``estimator`` is a worker's own model (`vision.loop.workers`); by default the
        pipeline's. Thread-safe as long as each thread passes its own estimator.
        ``before_infer`` is called once the frame is ready for the model, just before it runs.
        """
        t_start = time.perf_counter()
        estimator = estimator or self.estimator
        timings: dict[str, float] = {}
        # convert: crop to the zone plus a margin, wrap for the model, read its output back
        # as arrays, map the landmarks back to the full frame.
        # The model gets the analysis clock too: its VIDEO mode is time-dependent, so only
        # with the file's own timestamps does the same video give the same rows every run.
        t_analysis = self.analysis_time(frame)
        with self._zone_lock:  # a zone asked for crops at once; selection takes it up next
            zone = self._pending_zone or self.selector.zone
        crop = zone_crop(zone, frame.size) if self.crop_to_zone else None
        if crop is not None and crop.is_full_frame:
            crop = None
        model_frame = Frame(
            image=frame.image if crop is None else crop.crop(frame.image),
            t=t_analysis,
            index=frame.index,
            media_t=frame.media_t,
        )
        t1 = time.perf_counter()
        poses = estimator.detect(model_frame, before_infer)
        t2 = time.perf_counter()
        infer = (getattr(estimator, "timings", None) or {}).get("infer", t2 - t1)
        if crop is not None:
            poses = [crop.to_frame(p) for p in poses]
        t3 = time.perf_counter()
        timings["infer"] = infer
        timings["convert"] = (t1 - t_start) + max(0.0, (t2 - t1) - infer) + (t3 - t2)
        return Inferred(frame, poses, timings, t3 - t_start)

    def finish(self, inferred: Inferred) -> FrameResult:
        """The stages that need frames in order: member selection, smoothing, metrics.

        One thread at a time, frames in increasing index order (`vision.loop.workers`
        re-orders them): the selector, the One Euro filter and the gait analysis keep state
        from frame to frame and are fed each frame's own capture (or media) time.
        """
        t3 = time.perf_counter()
        self._apply_pending_zone()
        frame = inferred.frame
        self.last_frame = frame
        t_analysis = self.analysis_time(frame)
        result = FrameResult(
            frame_index=frame.index,
            t=frame.t,
            media_t=frame.media_t,
            frame_size=frame.size,
            captured_t=frame.t,
        )
        timings = result.timings
        timings.update(inferred.timings)

        if self._seams.is_seam(frame):  # a looping clip started over: vision.loop.seams
            restart_motion(t_analysis, self.selector, self.legs, self.smoother, self.analyzer)
        member, others = self.selector.select(inferred.poses, t_analysis)
        if member is None:
            self.legs.reset()
        else:
            # Before smoothing: a swapped leg must not be blended with the other one.
            member = self.legs.update(t_analysis, member)
        result.pose, result.others = member, others
        t4 = time.perf_counter()
        timings["select"] = t4 - t3

        if member is None:
            if self._had_member and self.smoother is not None:
                # The next person must not inherit the previous member's filter state.
                self.smoother.reset()
            result.smoothed = None
        elif self.smoother is not None:
            result.smoothed = self.smoother.smooth(t_analysis, member)
        else:
            result.smoothed = member
        self._had_member = member is not None
        t5 = time.perf_counter()
        timings["smooth"] = t5 - t4

        if self.analyzer is not None:
            # The raw pose too: foot contacts are timed on unsmoothed feet (the filter's lag
            # moved contacts by up to two frames at 6 fps and cost steps).
            result.metrics, result.events = self.analyzer.update(
                t_analysis, result.smoothed, frame.size, raw=result.pose
            )
        t6 = time.perf_counter()
        timings["metrics"] = t6 - t5
        timings["total"] = inferred.seconds + (t6 - t3)
        return result

    def reset(self) -> None:
        """Forget the member and all filter state (a new session)."""
        self.selector.reset()
        self.legs.reset()
        if self.smoother is not None:
            self.smoother.reset()
        reset = getattr(self.analyzer, "reset", None)
        if callable(reset):
            reset()
        self._had_member = False

    def close(self) -> None:
        """Release the estimator; safe to call twice."""
        self.estimator.close()


def build_analyzer(config: VisionConfig, view: str | None = None) -> Analyzer:
    """The `PostureAnalyzer` for ``config`` (``view`` overrides ``camera.view``).

    The analyzer gets each frame's size with every update, for square-pixel angles.
    """
    analyzer: Analyzer = PostureAnalyzer(
        config.posture,
        config.gait,
        config.core,
        config.safety,
        config.zone,
        view if view is not None else config.camera.view,
    )
    return analyzer


def build_pipeline(
    config: VisionConfig,
    model_path: Path | str,
    *,
    view: str | None = None,
    use_media_time: bool = False,
    estimator: PoseEstimator | None = None,
    zone: ZoneConfig | None = None,
) -> FramePipeline:
    """Every collaborator for ``config``: estimator, selector, smoother, analyzer.

    ``zone`` replaces the config's treadmill zone (the staff screen moves it live).

    Loads the model on ``model.backend`` (about a second; raises `vision.errors.ModelError`).
    ``estimator`` replaces it (a test double, or the bench's choice of backend).
    """
    if estimator is None:
        estimator = create_estimator(model_path, config.model, workers=config.vision.workers())
    return FramePipeline(
        estimator,
        MemberSelector(zone or config.zone),
        LandmarkSmoother(config.smoothing),
        build_analyzer(config, view),
        use_media_time=use_media_time,
    )


def estimator_factory(
    config: VisionConfig,
    model_path: Path | str,
    workers: int | None = None,
    backend: str | None = None,
) -> Callable[[], PoseEstimator]:
    """Makes one more estimator on ``backend`` (default ``model.backend``) for a pool of
    ``workers`` (default ``vision.pose_workers``): the pose workers' models."""
    count = workers if workers is not None else config.vision.workers()

    def make() -> PoseEstimator:
        return create_estimator(model_path, config.model, backend, workers=count)

    return make


def run_pipeline(
    capture_or_source: CaptureThread | FrameSource,
    pipeline: FramePipeline,
    on_result: Callable[[FrameResult], None],
    stop_event: threading.Event,
    *,
    exit_when_exhausted: bool,
    on_error: Callable[[Exception], None] | None = None,
    wait_s: float = 0.5,
    workers: int = 1,
    estimator_factory: Callable[[], PoseEstimator] | None = None,
) -> int:
    """The inference loop: feed frames through ``pipeline`` until stopped; returns the count.

    With a `CaptureThread` (it has ``wait_newer``) the loop takes the newest frame each time
    and skips the stale ones (the kiosk: latency over completeness). With a plain
    `FrameSource` it processes every frame in order (``analyze``: completeness over
    latency). ``exit_when_exhausted`` returns once the input has ended (a file, a capture
    thread that stopped); otherwise the loop keeps waiting until ``stop_event`` is set.
    An exception from a frame goes to ``on_error`` and the loop goes on; without
    ``on_error`` it propagates.

    ``workers`` > 1 runs that many models at once, the extra ones made by
    ``estimator_factory`` (`vision.loop.workers`); results still arrive in frame order.
    Live, even one worker runs there: selection, smoothing and metrics then overlap the
    next inference in a thread of their own.
    """
    wait_newer = getattr(capture_or_source, "wait_newer", None)
    if wait_newer is not None or workers > 1:
        if estimator_factory is None:
            if workers > 1:
                raise ValueError("more than one worker needs an estimator_factory")
            estimator_factory = _no_factory
        pool = WorkerPool(
            pipeline,
            workers,
            estimator_factory,
            on_result,
            stop_event,
            on_error=on_error,
            wait_s=wait_s,
        )
        if wait_newer is not None:
            return pool.run_live(capture_or_source, exit_when_exhausted)
        return pool.run_all(capture_or_source, exit_when_exhausted)  # type: ignore[arg-type]
    # One model over every frame of a file, in this thread: `process` frame by frame.
    source: FrameSource = capture_or_source  # type: ignore[assignment]
    processed = 0
    while not stop_event.is_set():
        frame = source.read()
        if frame is None:
            if exit_when_exhausted:
                break
            stop_event.wait(wait_s)
            continue
        try:
            result = pipeline.process(frame)
            on_result(result)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        processed += 1
    return processed


def _no_factory() -> PoseEstimator:
    raise AssertionError("one worker uses the pipeline's own estimator")
