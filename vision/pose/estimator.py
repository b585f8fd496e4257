"""Pose estimation: the `PoseEstimator` protocol and its MediaPipe Tasks implementation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from vision.errors import ModelError
from vision.pose import mp_lean
from vision.pose.model_check import close_landmarker
from vision.pose.native_log import native_stderr_to_log
from vision.settings import ModelConfig
from vision.types import NUM_LANDMARKS, Frame, Pose

if TYPE_CHECKING:
    from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions

logger = logging.getLogger(__name__)


@runtime_checkable
class PoseEstimator(Protocol):
    """Anything that finds people's landmarks in a frame.

    ``detect`` returns zero or more poses with landmarks normalised to the image it was given,
    and calls ``before_infer`` (when given) once the image is ready for the model, just before
    the model runs (`vision.loop.workers` hands the previous result on there). ``timings``
    holds the seconds the last call spent per stage (at least ``"convert"`` and ``"infer"``)
    so the pipeline can report them; ``close()`` is idempotent.
    """

    timings: dict[str, float]

    def detect(self, frame: Frame, before_infer: Callable[[], None] | None = None) -> list[Pose]:
        """The poses found in ``frame.image`` (RGB), best first."""
        ...

    def close(self) -> None:
        """Release the model; safe to call twice."""
        ...


def landmarker_options(model_path: Path, cfg: ModelConfig) -> PoseLandmarkerOptions:
    """The one set of ``PoseLandmarker`` options (VIDEO mode, ``cfg``'s confidences)."""
    # MediaPipe is imported when a model is really loaded, and only the landmarker's own
    # modules (vision.pose.mp_lean): `backstep --help` and the kiosk's first frame stay fast.
    mp = mp_lean.load()
    return mp.PoseLandmarkerOptions(
        base_options=mp.BaseOptions(model_asset_path=str(model_path)),
        running_mode=mp.RunningMode.VIDEO,
        num_poses=cfg.num_poses,
        min_pose_detection_confidence=cfg.min_detection_confidence,
        min_pose_presence_confidence=cfg.min_presence_confidence,
        min_tracking_confidence=cfg.min_tracking_confidence,
        output_segmentation_masks=False,
    )


def create_landmarker(model_path: Path, cfg: ModelConfig) -> PoseLandmarker:
    """A ``PoseLandmarker`` for the estimator and the benchmark alike; raises `ModelError`."""
    if not model_path.is_file():
        raise ModelError(f"pose model not found: {model_path}; run 'backstep model fetch'")
    try:
        with native_stderr_to_log():
            landmarker = mp_lean.load().PoseLandmarker.create_from_options(
                landmarker_options(model_path, cfg)
            )
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"cannot load pose model {model_path}: {exc}; run 'backstep model fetch' to replace it"
        ) from exc
    logger.info("pose model loaded: %s (num_poses=%d)", model_path, cfg.num_poses)
    return landmarker


class MediaPipePoseEstimator:
    """BlazePose GHUM through MediaPipe's Tasks ``PoseLandmarker`` in VIDEO mode.

    VIDEO mode tracks the person from frame to frame and runs the (slower) detector only when
    tracking is lost, which is what a kiosk watching one member wants. The Tasks API has no
    thread-count option and runs on one core: the rest of the design keeps the other cores
    for capture and drawing. Not thread-safe: one thread calls `detect`.
    """

    def __init__(self, model_path: Path | str, cfg: ModelConfig) -> None:
        self.model_path = Path(model_path)
        self.cfg = cfg
        self.timings: dict[str, float] = {}
        self._last_ms = -1
        self._first_done = False
        self._landmarker: PoseLandmarker | None = create_landmarker(self.model_path, cfg)
        self._mp = mp_lean.load()

    def next_timestamp_ms(self, t: float) -> int:
        """A VIDEO-mode timestamp for capture time ``t`` (s), strictly above the previous one.

        MediaPipe rejects a timestamp that does not increase. Frames can repeat (a file source
        delivering the same frame twice, a camera clock stepping back after a reconnect), so
        the capture time is only a guide: equal or earlier times become previous + 1 ms.
        The timestamps matter beyond ordering: measured here, VIDEO mode filters landmarks
        over time (the same 50 frames fed 1 ms apart moved 37% less from frame to frame than
        fed 33 ms apart; 3.3 s apart, 7% more), so they must be the real capture (or media)
        times, and the same file always gives the same landmarks only with its media times.
        """
        ms = round(t * 1000.0)
        if ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        return ms

    def detect(self, frame: Frame, before_infer: Callable[[], None] | None = None) -> list[Pose]:
        """Run the model on ``frame.image`` (RGB uint8); landmarks are normalised to it.

        ``before_infer`` runs once the image is wrapped, right before ``detect_for_video``.
        """
        if self._landmarker is None:
            raise ModelError("the pose estimator is closed")
        t0 = time.perf_counter()
        rgb = frame.image
        if not rgb.flags.c_contiguous:
            # mp.Image refuses strided views (a crop or a rotation); one copy here is cheap.
            rgb = np.ascontiguousarray(rgb)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        ts = self.next_timestamp_ms(frame.t)
        if before_infer is not None:
            before_infer()
        t1 = time.perf_counter()
        if self._first_done:
            result = self._landmarker.detect_for_video(image, ts)
        else:  # the first call loads the landmark model: more native log lines
            with native_stderr_to_log():
                result = self._landmarker.detect_for_video(image, ts)
            self._first_done = True
        t2 = time.perf_counter()
        poses = poses_from_result(result)
        t3 = time.perf_counter()
        self.timings = {"convert": (t1 - t0) + (t3 - t2), "infer": t2 - t1}
        return poses

    def close(self) -> None:
        """Release the MediaPipe graph; safe to call twice."""
        landmarker, self._landmarker = self._landmarker, None
        if landmarker is not None:
            # Explicitly, and through the guarded close: PoseLandmarker.__del__ at interpreter
            # exit raises from a half torn-down ctypes dispatcher, and after a graph error
            # mediapipe 1.2.2 can hang in a second close (see close_landmarker).
            close_landmarker(landmarker)

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def poses_from_result(result: Any) -> list[Pose]:
    """Convert a ``PoseLandmarkerResult`` to `Pose` arrays, once, right after inference.

    Everything downstream works on numpy arrays, never on MediaPipe's per-landmark objects.
    A landmark without visibility gets 0 (unknown = not to be trusted).
    """
    poses: list[Pose] = []
    for landmarks, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=False):
        if len(landmarks) != NUM_LANDMARKS:
            logger.warning("pose with %d landmarks ignored", len(landmarks))
            continue
        image = np.array(
            [(lm.x, lm.y, lm.z, lm.visibility or 0.0) for lm in landmarks], dtype=np.float64
        )
        world_xyz = np.array([(lm.x, lm.y, lm.z) for lm in world], dtype=np.float64)
        if world_xyz.shape != (NUM_LANDMARKS, 3):
            world_xyz = np.full((NUM_LANDMARKS, 3), np.nan)
        poses.append(Pose(image=image, world=world_xyz))
    return poses
