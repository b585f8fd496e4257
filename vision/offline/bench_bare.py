"""The bench's "bare model" phases: each backend's model alone in a tight loop, no pipeline.

MediaPipe's is ``detect_for_video`` on ready-made ``mp.Image``s, so the pipeline/bare ratio
measures only the project's own overhead. LiteRT's is the whole `LiteRTPoseEstimator.detect`:
its pre- and post-processing in Python are part of that backend, not overhead around it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vision.pose.selection import zone_crop
from vision.types import Frame

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig

WARMUP_FRAMES = 5
#: The bare loops feed frames 33 ms apart (a 30 frames/s camera's timestamps).
FRAME_MS = 33


def prepare_bare_images(config: VisionConfig, images: list[np.ndarray]) -> list[Any]:
    """``mp.Image``s of the pipeline's zone crop, one per distinct frame (repeats shared)."""
    from vision.pose import mp_lean

    mp = mp_lean.load()
    wrapped: dict[int, Any] = {}
    prepared = []
    for crop in zone_crops(config, images):
        if id(crop) not in wrapped:
            wrapped[id(crop)] = mp.Image(image_format=mp.ImageFormat.SRGB, data=crop)
        prepared.append(wrapped[id(crop)])
    return prepared


def bench_bare(
    model_path: Path, config: VisionConfig, prepared: list[Any]
) -> tuple[float, list[float]]:
    """Frames/s and per-call seconds of ``detect_for_video`` alone on prepared images."""
    from vision.pose.estimator import create_landmarker
    from vision.pose.native_log import native_stderr_to_log

    # The kiosk's own landmarker (same options), so "bare" measures what the kiosk runs.
    landmarker = create_landmarker(model_path, config.model)
    try:
        ts = 0
        with native_stderr_to_log():  # the warm-up loads the landmark model: native lines
            for image in prepared[:WARMUP_FRAMES]:
                ts += FRAME_MS
                landmarker.detect_for_video(image, ts)
        times: list[float] = []
        start = time.perf_counter()
        for image in prepared:
            ts += FRAME_MS
            t0 = time.perf_counter()
            landmarker.detect_for_video(image, ts)
            times.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    finally:
        landmarker.close()
    return len(prepared) / elapsed, times


def zone_crops(config: VisionConfig, images: list[np.ndarray]) -> list[np.ndarray]:
    """The pipeline's zone crop of each frame, contiguous (repeats shared)."""
    crop = zone_crop(config.zone, (images[0].shape[1], images[0].shape[0]))
    distinct: dict[int, np.ndarray] = {}
    for image in images:
        if id(image) not in distinct:
            distinct[id(image)] = np.ascontiguousarray(crop.crop(image))
    return [distinct[id(image)] for image in images]


def bench_bare_litert(
    model_path: Path, config: VisionConfig, crops: list[np.ndarray], threads: int
) -> tuple[float, list[float]]:
    """Frames/s and per-call seconds of `LiteRTPoseEstimator.detect` alone on zone crops."""
    from vision.pose.litert import LiteRTPoseEstimator

    estimator = LiteRTPoseEstimator(model_path, config.model, threads=threads)
    try:
        t = 0.0
        for i, image in enumerate(crops[:WARMUP_FRAMES]):
            t += FRAME_MS / 1000
            estimator.detect(Frame(image=image, t=t, index=i))
        times: list[float] = []
        start = time.perf_counter()
        for i, image in enumerate(crops):
            t += FRAME_MS / 1000
            t0 = time.perf_counter()
            estimator.detect(Frame(image=image, t=t, index=i))
            times.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    finally:
        estimator.close()
    return len(crops) / elapsed, times


def bare_model(
    backend: str, model_path: Path, config: VisionConfig, images: list[np.ndarray]
) -> tuple[float, list[float]]:
    """The bare model's frames/s and per-call seconds on ``backend`` (one model, so LiteRT
    gets the thread count of a single worker)."""
    if backend == "litert":
        threads = config.model.threads(1)
        return bench_bare_litert(model_path, config, zone_crops(config, images), threads)
    return bench_bare(model_path, config, prepare_bare_images(config, images))
