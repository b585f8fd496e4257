"""``backstep bench``: the pose model alone versus the kiosk's whole pipeline at 1-3 workers.

Every phase runs in one process on the same pre-decoded frames (the clip letterboxed to
640x480, the camera size the targets assume, repeated by reference to the frame count):

* **bare**: the backend's model alone in a tight loop on the zone crop the pipeline infers
  on (`vision.offline.bench_bare`), run before and after the pipelines, the faster run
  counting (noise must not flatter us);
* **pipeline**, once per worker count: a real `CaptureThread` fed by a `ReplaySource`,
  the inference loop (`run_pipeline`, with its pose workers) and the full `FramePipeline`
  (crop, infer, select, smooth, metrics). The replay "camera" runs at three times the
  bare model rate (at least the configured camera rate): like a real camera faster than
  the model, a fresh frame is always waiting.

Each backend asked for (``mediapipe``, ``litert``) gets all of these phases in turn.
Memory is the process's resident set sampled while each pipeline runs, minus the bench's
own frame buffers (after another backend, it includes what that one left allocated).
`pin_to_cores` (``--cores N``) restricts the whole process, every
thread, to N cores first. Targets (`vision.offline.bench_report`) are reported, not
asserted.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vision.offline.analyze import StageTimes, percentile
from vision.offline.bench_bare import WARMUP_FRAMES, bare_model
from vision.offline.bench_report import BackendBench, BenchReport, WorkerRun
from vision.types import Frame, FrameResult

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig

logger = logging.getLogger(__name__)

BENCH_SIZE = (640, 480)
FEED_FACTOR = 3.0
#: Resident memory is sampled this often while a pipeline runs.
RSS_SAMPLE_S = 0.05


def letterbox(rgb: np.ndarray, size: tuple[int, int] = BENCH_SIZE) -> np.ndarray:
    """``rgb`` scaled to fit ``size`` (w, h), centred on black: no distortion, no crop."""
    import cv2

    w, h = size
    ih, iw = rgb.shape[:2]
    scale = min(w / iw, h / ih)
    nw, nh = max(1, round(iw * scale)), max(1, round(ih * scale))
    resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), dtype=np.uint8)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = resized
    return out


def bounce(i: int, n: int) -> int:
    """The ``i``-th index of 0, 1, ..., n-1, n-2, ..., 1, 0, 1, ... (a clip played back and forth).

    Played back and forth, a short clip never jumps from its last frame to its first: the
    member selector and the smoother would see a person teleport at every wrap (its identity
    check rejected up to 80 % of a 20-frame bench run as "not the member").
    """
    if n <= 1:
        return 0
    period = 2 * (n - 1)
    k = i % period
    return k if k < n else period - k


@dataclass
class BenchFrames:
    """Pre-decoded, letterboxed frames of a clip, as the bench and the soak replay them."""

    images: list[np.ndarray]  # ``count`` frames, played back and forth; repeats share memory
    decode_s: list[float]  # seconds each distinct frame took to decode and letterbox
    fps: float  # the clip's own frame rate: the pace of the motion in it


def load_frames(video: Path, count: int) -> BenchFrames:
    """``count`` letterboxed frames of ``video`` (played back and forth, see `bounce`)."""
    from vision.sources.video import VideoFileSource

    distinct: list[np.ndarray] = []
    decode: list[float] = []
    with VideoFileSource(video, realtime=False) as source:
        while len(distinct) < count:
            t0 = time.perf_counter()
            frame = source.read()
            if frame is None:
                break
            distinct.append(letterbox(frame.image))
            decode.append(time.perf_counter() - t0)
        fps = source.fps
    if not distinct:
        raise ValueError(f"{video} has no frames")
    images = [distinct[bounce(i, len(distinct))] for i in range(count)]
    return BenchFrames(images, decode, fps)


class ReplaySource:
    """A `FrameSource` replaying pre-decoded frames at ``fps``, like a live camera.

    ``t`` is the monotonic time the frame is handed over (its "capture"), so latency
    measured from it covers everything after the sensor. The frames play back and forth
    (`bounce`). With ``clip_fps`` the picture follows the clock at the pace it was filmed,
    however fast frames are handed out (a frame is repeated until the next is due): the bench
    feeds several times faster than the clip's rate to keep the pipeline busy, and fed frame by
    frame the person would move several times faster than a person can, so each worker's
    tracker lost them and re-ran the detector far more often than behind a live camera.
    """

    is_live = True

    def __init__(
        self,
        images: list[np.ndarray],
        fps: float,
        name: str = "replay",
        clip_fps: float | None = None,
    ) -> None:
        self.images = images
        self.period = 1.0 / fps
        self.name = name
        self.clip_fps = clip_fps
        self._count = 0
        self._next = 0.0
        self._start = 0.0

    def open(self) -> None:
        """Start the clock."""
        self._start = self._next = time.monotonic()

    def read(self) -> Frame | None:
        """The next frame, when it is due."""
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + self.period, time.monotonic() - self.period)
        now = time.monotonic()
        shown = self._count
        if self.clip_fps is not None:
            # The nudge: a picture due at this very instant is shown (not lost to rounding).
            shown = int((now - self._start) * self.clip_fps + 1e-6)
        image = self.images[bounce(shown, len(self.images))]
        frame = Frame(image=image, t=now, index=self._count)
        self._count += 1
        return frame

    def close(self) -> None:
        """Nothing to release."""


def rss_mb() -> float:
    """This process's resident memory now, MB (Linux ``/proc``; 0 where unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


class RssSampler:
    """The highest resident memory seen while in the ``with`` block (a sampling thread)."""

    def __init__(self, every_s: float = RSS_SAMPLE_S) -> None:
        self.every_s = every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss", daemon=True)

    def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, rss_mb())
            if self._stop.wait(self.every_s):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, rss_mb())


def pin_to_cores(count: int) -> list[int]:
    """Restrict this process, every thread of it, to ``count`` of its cores; returns them.

    Like ``taskset``: threads started later inherit the mask. Raises ValueError when the
    process may not use that many cores, OSError where affinity is not supported.
    """
    allowed = sorted(os.sched_getaffinity(0))
    if not 1 <= count <= len(allowed):
        raise ValueError(f"--cores {count}: this process may use {len(allowed)} core(s)")
    cores = set(allowed[:count])
    for tid in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(tid), cores)
        except ProcessLookupError:  # a thread that just ended
            continue
    return sorted(cores)


@dataclass
class PipelineRun:
    """What one pipeline phase measured."""

    fps: float
    results: list[FrameResult]
    latencies: list[float]
    first_pose_s: float | None
    rss_mb: float


def bench_pipeline(
    model_path: Path,
    config: VisionConfig,
    images: list[np.ndarray],
    feed_fps: float,
    workers: int = 1,
    clip_fps: float | None = None,
    backend: str = "mediapipe",
) -> PipelineRun:
    """Capture thread -> ``workers`` pose workers -> `FramePipeline`, ``len(images)`` results.

    Every worker's model runs on ``backend``.
    """
    from vision.loop.capture import CaptureThread
    from vision.loop.pipeline import build_pipeline, estimator_factory, run_pipeline

    wanted = len(images)
    results: list[FrameResult] = []
    latencies: list[float] = []
    stamps: list[float] = []
    first_pose: list[float] = []
    stop = threading.Event()

    def on_result(result: FrameResult) -> None:
        now = time.monotonic()
        if result.person and not first_pose:
            first_pose.append(time.perf_counter() - started)
        if result.frame_index < WARMUP_FRAMES * workers:
            return
        results.append(result)
        latencies.append(now - result.captured_t)
        stamps.append(time.perf_counter())
        if len(results) >= wanted:
            stop.set()

    with RssSampler() as rss:
        started = time.perf_counter()
        make = estimator_factory(config, model_path, workers, backend)
        pipeline = build_pipeline(config, model_path, estimator=make())
        capture = CaptureThread(
            lambda: ReplaySource(images, feed_fps, clip_fps=clip_fps), stop_at_end=False
        )
        try:
            capture.start()
            run_pipeline(
                capture,
                pipeline,
                on_result,
                stop,
                exit_when_exhausted=True,
                workers=workers,
                estimator_factory=make,
            )
        finally:
            capture.stop()
            pipeline.close()
    span = stamps[-1] - stamps[0] if len(stamps) >= 2 else 0.0
    fps = (len(stamps) - 1) / span if span > 0 else 0.0
    first = first_pose[0] if first_pose else None
    return PipelineRun(fps, results, latencies, first, rss.peak_mb)


def worker_run(
    workers: int, run: PipelineRun, harness_mb: float, backend: str = "mediapipe"
) -> WorkerRun:
    """The table row for one pipeline phase."""
    stages = StageTimes()
    for result in run.results:
        stages.add(result.timings)
    stages_ms: dict[str, dict[str, float | None]] = {
        name: {"p50": stages.ms(name, 50), "p95": stages.ms(name, 95)} for name in stages.samples
    }
    lat50, lat95 = percentile(run.latencies, 50), percentile(run.latencies, 95)
    person = sum(r.person for r in run.results) / len(run.results) if run.results else 0.0
    return WorkerRun(
        workers=workers,
        fps=run.fps,
        latency_ms_p50=None if lat50 is None else lat50 * 1000,
        latency_ms_p95=None if lat95 is None else lat95 * 1000,
        infer_ms_p50=stages.ms("infer", 50),
        overhead_ms_p50=stages.ms("overhead", 50),
        rss_mb=max(0.0, run.rss_mb - harness_mb),
        person_share=person,
        first_pose_s=run.first_pose_s,
        stages_ms=stages_ms,
        backend=backend,
    )


def bench_phases(
    workers: tuple[int, ...], backends: tuple[str, ...] = ("mediapipe",)
) -> tuple[str, ...]:
    """The phases `run_bench` reports to its ``on_phase`` callback, in order."""
    phases = ["decode"]
    for backend in backends:
        phases.append(f"{backend}: bare model")
        phases += [f"{backend}: {n} worker{'s' if n > 1 else ''}" for n in workers]
        phases.append(f"{backend}: bare model again")
    return tuple(phases)


def run_bench(
    video: Path,
    frames: int,
    config: VisionConfig,
    model_path: Path,
    workers: tuple[int, ...] = (1, 2, 3),
    on_phase: Callable[[str], object] | None = None,
    backends: tuple[str, ...] = ("mediapipe",),
) -> BenchReport:
    """Per backend: bare model, the pipeline at each worker count, the bare model again, on
    ``frames`` frames of ``video``.

    ``on_phase(name)`` is called as each of `bench_phases` starts (outside any timed loop).
    LiteRT runs ``model.litert_threads`` threads per model ("auto": cores / workers).
    """
    phases = iter(bench_phases(workers, backends))
    phase = on_phase or (lambda _name: None)
    load = os.getloadavg()
    phase(next(phases))
    clip = load_frames(video, frames)
    images, decode = clip.images, clip.decode_s
    distinct = {id(image): image for image in images}
    harness_mb = sum(image.nbytes for image in distinct.values()) / (1024 * 1024)
    logger.info("bench: %d frames ready (%d distinct)", len(images), len(decode))
    benches = []
    for backend in backends:
        phase(next(phases))
        bare_fps, bare_times = bare_model(backend, model_path, config, images)
        feed_fps = max(float(config.camera.fps), FEED_FACTOR * bare_fps)
        runs = []
        for n in workers:
            phase(next(phases))
            run = bench_pipeline(model_path, config, images, feed_fps, n, clip.fps, backend)
            runs.append(worker_run(n, run, harness_mb, backend))
        # The bare model once more after the pipelines, keeping the faster run: a busy
        # moment during one phase (another process, a thermal step) must not flatter the
        # ratio.
        phase(next(phases))
        again_fps, again_times = bare_model(backend, model_path, config, images)
        if again_fps > bare_fps:
            bare_fps, bare_times = again_fps, again_times
        bare50 = percentile(bare_times, 50)
        benches.append(
            BackendBench(
                backend=backend,
                threads=config.model.litert_threads if backend == "litert" else None,
                bare_fps=bare_fps,
                bare_ms_p50=None if bare50 is None else bare50 * 1000,
                feed_fps=feed_fps,
                runs=runs,
            )
        )
    return BenchReport(
        video=video.name,
        frames=frames,
        frame_size=BENCH_SIZE,
        model_path=str(model_path),
        num_poses=config.model.num_poses,
        cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1,
        load_avg=load,
        harness_mb=harness_mb,
        backends=benches,
    )
