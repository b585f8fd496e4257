"""`LiteRTPoseEstimator`: MediaPipe's pose graph rebuilt in Python around LiteRT interpreters."""

from __future__ import annotations

import logging
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vision.errors import ModelError
from vision.pose.litert.detector import PoseDetector
from vision.pose.litert.filters import PoseFilter
from vision.pose.litert.landmarks import LandmarkModel
from vision.pose.litert.roi import Roi
from vision.pose.native_log import native_stderr_to_log
from vision.settings import ModelConfig
from vision.types import Frame, Pose

logger = logging.getLogger(__name__)

DETECTOR_FILE = "pose_detector.tflite"
LANDMARKS_FILE = "pose_landmarks_detector.tflite"


def load_interpreters(model_path: Path, threads: int) -> tuple[Any, Any]:
    """LiteRT interpreters for the detector and the landmark model inside a ``.task`` file.

    The bundle is a zip; both models are read into memory (nothing is extracted to disk).
    Raises `ModelError` when LiteRT is missing or the file is not a pose bundle.
    """
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise ModelError(
            "model.backend = 'litert' needs the ai-edge-litert package "
            "(pip install ai-edge-litert), or set model.backend = 'mediapipe'"
        ) from exc
    if not model_path.is_file():
        raise ModelError(f"pose model not found: {model_path}; run 'backstep model fetch'")
    try:
        with zipfile.ZipFile(model_path) as bundle:
            contents = bundle.read(DETECTOR_FILE), bundle.read(LANDMARKS_FILE)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(
            f"cannot read the pose models in {model_path}: {exc}; "
            "run 'backstep model fetch' to replace it"
        ) from exc
    interpreters = []
    try:
        with native_stderr_to_log():  # LiteRT announces its XNNPACK delegate on stderr
            for content in contents:
                interpreter = Interpreter(model_content=content, num_threads=threads)
                interpreter.allocate_tensors()
                interpreters.append(interpreter)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"cannot load the pose models in {model_path}: {exc}") from exc
    return interpreters[0], interpreters[1]


class LiteRTPoseEstimator:
    """BlazePose on LiteRT, with MediaPipe's pre- and post-processing written out here.

    The same two models MediaPipe runs, from the same ``.task`` file, each with
    ``threads`` threads. Per frame, like MediaPipe's PoseLandmarker in VIDEO mode with one
    pose: the landmark model runs on a region taken from the previous frame's landmarks (their
    two auxiliary points); only when there is none (first frame, or the pose flag fell below
    ``min_presence_confidence`` on the previous frame) does the detector look at the whole
    image first. ``min_tracking_confidence`` only matters to MediaPipe with several poses,
    which this backend does not do (the config refuses it).

    ``smooth`` (default True) reproduces MediaPipe's VIDEO-mode landmark filter
    (`vision.pose.litert.filters`), so that the project's own One Euro smoother downstream
    sees the same input whichever backend runs; False gives the raw model output.
    Not thread-safe: one thread calls `detect`; each pose worker has its own estimator.
    """

    def __init__(
        self, model_path: Path | str, cfg: ModelConfig, threads: int = 1, smooth: bool = True
    ) -> None:
        if cfg.num_poses != 1:
            raise ModelError("the LiteRT backend tracks one pose: set model.num_poses = 1")
        self.model_path = Path(model_path)
        self.cfg = cfg
        self.threads = threads
        self.timings: dict[str, float] = {}
        #: frames seen, and on how many of them the detector ran (tracking lost or not begun)
        self.calls = 0
        self.detector_runs = 0
        detector, landmarks = load_interpreters(self.model_path, threads)
        self._detector: PoseDetector | None = PoseDetector(detector, cfg.min_detection_confidence)
        self._landmarks: LandmarkModel | None = LandmarkModel(landmarks)
        self._filter = PoseFilter() if smooth else None
        self._roi: Roi | None = None
        self._last_ms = -1
        logger.info("pose models loaded on LiteRT: %s (%d thread(s))", self.model_path, threads)

    def _timestamp_ns(self, t: float) -> int:
        """MediaPipe's timestamp for ``t``: whole milliseconds, strictly increasing."""
        ms = round(t * 1000.0)
        if ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        return ms * 1_000_000

    def detect(self, frame: Frame, before_infer: Callable[[], None] | None = None) -> list[Pose]:
        """Track (or find) the person in ``frame.image`` (RGB uint8); landmarks normalised.

        ``before_infer`` runs right before the first model of this frame (the detector, or
        the landmark model when tracking).
        """
        detector, model = self._detector, self._landmarks
        if detector is None or model is None:
            raise ModelError("the pose estimator is closed")
        t0 = time.perf_counter()
        rgb = frame.image
        h, w = rgb.shape[:2]
        t_ns = self._timestamp_ns(frame.t)
        self.calls += 1
        infer = 0.0
        detect_s = 0.0
        roi = self._roi
        hook = before_infer
        if roi is None:
            self.detector_runs += 1
            found = detector.detect(rgb, hook)
            hook = None
            infer += detector.times.infer
            detect_s = time.perf_counter() - t0
            roi = None if found is None else found.roi()
        result = None
        if roi is not None:
            result = model.run(rgb, roi, self.cfg.min_presence_confidence, hook)
            infer += model.times.infer
        poses: list[Pose] = []
        if result is None:
            self._roi = None
            if self._filter is not None:
                self._filter.reset()
        else:
            self._roi = result.next_roi()
            image, world = result.image[:, :4], result.world
            if self._filter is not None:
                image, world = self._filter.apply(t_ns, image, world, (w, h), self._roi.size)
            poses.append(Pose(image=np.ascontiguousarray(image), world=world))
        total = time.perf_counter() - t0
        self.timings = {"convert": total - infer, "infer": infer, "detector": detect_s}
        return poses

    def close(self) -> None:
        """Drop the interpreters; safe to call twice."""
        if self._detector is None and self._landmarks is None:
            return
        # LiteRT frees a model with its last reference, and says so on stderr.
        with native_stderr_to_log():
            self._detector = None
            self._landmarks = None

    def __enter__(self) -> LiteRTPoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
