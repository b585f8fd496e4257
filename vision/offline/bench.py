"""``backstep bench``: the pose model alone versus the kiosk's whole pipeline at 1-3 workers.

Every phase runs in one process on the same pre-decoded frames (the clip letterboxed to
640x480, the camera size the targets assume, repeated by reference to the frame count):

* **bare**: the backend's model alone in a tight loop on the zone crop the pipeline infers
  on (`vision.offline.bench_bare`), run first and last, the faster run counting;
* **pipeline**, once per worker count: a real `CaptureThread` fed by a `ReplaySource`,
  the inference loop (`run_pipeline`, with its pose workers) and the full `FramePipeline`
  (crop, infer, select, smooth, metrics). The replay "camera" runs at three times the
  bare model rate (at least the configured camera rate): like a real camera faster than
  the model, a fresh frame is always waiting. One worker runs a second time after the
  other counts, the faster run counting, as for the bare model: the pipeline/bare ratio
  then compares two runs measured alike, and a busy moment on the machine (measured here:
  the model's own time per frame moving between 16 and 20 ms from one run to the next)
  tilts it neither way.

Each backend asked for (``mediapipe``, ``litert``) gets all of these phases in turn.
Memory is the process's resident set sampled while each pipeline runs, minus the bench's
own frame buffers, with the memory earlier phases freed given back to the system first
(`give_back_freed_memory`; after another backend, it still includes what that one left
allocated).
`pin_to_cores` (``--cores N``) restricts the whole process, every
thread, to N cores first. Targets (`vision.offline.bench_report`) are reported, not
asserted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
from vision.offline.replay import BENCH_SIZE, ReplaySource, load_frames
from vision.threads import WorkerThread
from vision.types import FrameResult

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig

logger = logging.getLogger(__name__)

FEED_FACTOR = 3.0
#: Resident memory is sampled this often while a pipeline runs.
RSS_SAMPLE_S = 0.05


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
        self._worker = WorkerThread(self._run, "backstep-bench-rss", stopping=self._stop)

    def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, rss_mb())
            if self._stop.wait(self.every_s):
                return

    def __enter__(self) -> RssSampler:
        self._worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._worker.stop(timeout=60.0)  # one sample is quick; never wait forever
        self.peak_mb = max(self.peak_mb, rss_mb())


def give_back_freed_memory() -> bool:
    """Return memory the process has freed to the system (glibc's ``malloc_trim``).

    The bare model's phase wraps every distinct frame for MediaPipe (about 0.8 MB each) and
    frees them; glibc keeps the freed pages, and the next phase's resident set counted them:
    1 worker read 405 MB after the bare phase against 216 MB alone (measured here); given
    back first, 214 MB. Returns False where there is no glibc (nothing to do there).
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


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
        fps_runs=[run.fps],
    )


def faster(first: WorkerRun, second: WorkerRun) -> WorkerRun:
    """The faster of two runs at one worker count, noting both throughputs.

    Memory and time to first pose are the first run's: the second comes after the other
    worker counts, the process keeps what their extra models had allocated, and a model
    loaded for the fifth time loads faster than a station's first.
    """
    best = second if second.fps > first.fps else first
    best.fps_runs = [*first.fps_runs, *second.fps_runs]
    best.rss_mb = first.rss_mb
    best.first_pose_s = first.first_pose_s
    return best


def bench_phases(
    workers: tuple[int, ...], backends: tuple[str, ...] = ("mediapipe",)
) -> tuple[str, ...]:
    """The phases `run_bench` reports to its ``on_phase`` callback, in order."""
    phases = ["decode"]
    for backend in backends:
        phases.append(f"{backend}: bare model")
        phases += [f"{backend}: {n} worker{'s' if n > 1 else ''}" for n in workers]
        if 1 in workers:
            phases.append(f"{backend}: 1 worker again")
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
    """Per backend: bare model, the pipeline at each worker count, 1 worker again, the bare
    model again, on ``frames`` frames of ``video``.

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
            give_back_freed_memory()
            run = bench_pipeline(model_path, config, images, feed_fps, n, clip.fps, backend)
            runs.append(worker_run(n, run, harness_mb, backend))
        if 1 in workers:
            phase(next(phases))
            give_back_freed_memory()
            run = bench_pipeline(model_path, config, images, feed_fps, 1, clip.fps, backend)
            i = workers.index(1)
            runs[i] = faster(runs[i], worker_run(1, run, harness_mb, backend))
        # The bare model once more after the pipelines, keeping the faster run, as for 1
        # worker: a busy moment during one phase (another process, a thermal step) must
        # tilt the ratio neither way.
        phase(next(phases))
        again_fps, again_times = bare_model(backend, model_path, config, images)
        bare_runs = [bare_fps, again_fps]
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
                bare_fps_runs=bare_runs,
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
