"""Configuration sections the vision pipeline reads: camera, treadmill zone, model, smoothing."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

STRICT = ConfigDict(extra="forbid", validate_assignment=True)


def cross_field_error(message: str, *fields: str) -> PydanticCustomError:
    """A validation error naming the fields involved, so the config loader can report a key.

    The loader points at the first of ``fields`` that the staff file sets (dotted names are
    relative to the model that raises, e.g. ``"safety.fall_lean_deg"`` from the root).
    """
    return PydanticCustomError("cross_field", message, {"fields": fields})


def empty_to_none(value: object) -> object:
    """TOML has no null: an empty string in the staff file means "not set"."""
    return None if value == "" else value


class CameraConfig(BaseModel):
    """Where frames come from and how they are oriented."""

    model_config = STRICT

    source: Literal["auto", "usb", "rpicam", "picamera", "file", "demo"] = Field(
        "auto", description="Where frames come from."
    )
    device: int | str = Field(
        0, description='USB camera: index (0 = /dev/video0) or a device path such as "/dev/video2".'
    )
    file: Path | None = Field(
        None, description='Video file played when source = "file" ("" = not set).'
    )
    width: int = Field(
        640,
        ge=160,
        le=1920,
        description=(
            "Requested capture size in pixels: width 160-1920 (default 640), height 120-1080 "
            "(default 480)."
        ),
    )
    height: int = Field(
        480,
        ge=120,
        le=1080,
        description=(
            "Requested capture size in pixels: width 160-1920 (default 640), height 120-1080 "
            "(default 480)."
        ),
    )
    fps: int = Field(30, ge=5, le=60, description="Requested capture rate, frames/s, 5-60.")
    rotation: Literal[0, 90, 180, 270] = Field(
        0,
        description=(
            "Clockwise rotation of the image, degrees: 0, 90, 180 or 270 (a camera mounted on its"
            " side gives a portrait view)."
        ),
    )
    mirror: bool = Field(
        True,
        description="Show the live view mirrored, like a real mirror (analysis is not affected).",
    )
    view: Literal["side", "front", "auto"] = Field(
        "auto",
        description=(
            'How the camera sees the member: "auto" (judged from the body\'s shoulder width, with '
            'hysteresis, so a front-facing camera is not misread as a side view), "side" (trunk '
            'lean front/back is measured best; place the camera beside the treadmill), "front" '
            "(side lean and hip tilt only)."
        ),
    )
    reconnect_min_s: float = Field(
        0.5,
        ge=0.1,
        le=10,
        description=(
            "Reconnect backoff when the camera is lost, seconds: first delay 0.1-10 (default "
            "0.5), longest delay 1-120 (default 10; not less than the first)."
        ),
    )
    reconnect_max_s: float = Field(
        10.0,
        ge=1,
        le=120,
        description=(
            "Reconnect backoff when the camera is lost, seconds: first delay 0.1-10 (default "
            "0.5), longest delay 1-120 (default 10; not less than the first)."
        ),
    )
    stall_s: float = Field(
        2.0,
        ge=0.5,
        le=30,
        description=(
            "A camera read that has not returned after this many seconds (a stalled USB read, a "
            "hung CSI capture) counts as a lost camera: 0.5-30, default 2 (a session then loses "
            "at most about 3 s of samples)."
        ),
    )
    lost_end_session_s: float = Field(
        120.0,
        ge=10,
        le=3600,
        description=(
            'A session left on the "camera lost" screen this long ends, stored as "interrupted" '
            "with what was recorded (it does not count toward progression): 10-3600 s, default "
            "120."
        ),
    )

    _file_empty = field_validator("file", mode="before")(empty_to_none)

    @model_validator(mode="after")
    def _consistent(self) -> CameraConfig:
        if self.source == "file" and self.file is None:
            raise cross_field_error("source = 'file' needs camera.file set", "file", "source")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise cross_field_error(
                "reconnect_max_s must not be less than reconnect_min_s",
                "reconnect_max_s",
                "reconnect_min_s",
            )
        return self


class ZoneConfig(BaseModel):
    """The treadmill zone: a rectangle in normalised image coordinates (0..1)."""

    model_config = STRICT

    x0: float = Field(
        0.15,
        ge=0,
        le=1,
        description=(
            "The treadmill: a rectangle in image coordinates from 0 (left/top) to 1 "
            "(right/bottom), after rotation."
        ),
    )
    y0: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "The treadmill: a rectangle in image coordinates from 0 (left/top) to 1 "
            "(right/bottom), after rotation."
        ),
    )
    x1: float = Field(
        0.85,
        ge=0,
        le=1,
        description=(
            "The treadmill: a rectangle in image coordinates from 0 (left/top) to 1 "
            "(right/bottom), after rotation."
        ),
    )
    y1: float = Field(
        1.0,
        ge=0,
        le=1,
        description=(
            "The treadmill: a rectangle in image coordinates from 0 (left/top) to 1 "
            "(right/bottom), after rotation."
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> ZoneConfig:
        if self.x1 - self.x0 < 0.05:
            raise cross_field_error("zone must have x0 < x1 (at least 0.05 apart)", "x1", "x0")
        if self.y1 - self.y0 < 0.05:
            raise cross_field_error("zone must have y0 < y1 (at least 0.05 apart)", "y1", "y0")
        return self

    def contains(self, x: float, y: float) -> bool:
        """True when the normalised point lies inside the zone."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


class ModelConfig(BaseModel):
    """The pose model and its confidence thresholds."""

    model_config = STRICT

    path: Path | None = Field(
        None, description="The pose model (MediaPipe PoseLandmarker .task file)."
    )
    variant: Literal["lite", "full", "heavy"] = Field(
        "full", description='Model size: "lite", "full" or "heavy".'
    )
    # 1: the pipeline crops to the treadmill zone, so bystanders outside it are never seen;
    # 2+ made the VIDEO-mode detector run on every frame (18-21 ms instead of 11-12 ms on
    # the fixture clips) without finding the member more often (see vision/selection.py).
    num_poses: int = Field(
        1,
        ge=1,
        le=4,
        description="People considered per frame, 1-4; the one in the zone is coached.",
    )
    min_detection_confidence: float = Field(
        0.5, ge=0.1, le=0.95, description="Confidence thresholds, 0.1-0.95."
    )
    min_presence_confidence: float = Field(
        0.5, ge=0.1, le=0.95, description="Confidence thresholds, 0.1-0.95."
    )
    min_tracking_confidence: float = Field(
        0.5, ge=0.1, le=0.95, description="Confidence thresholds, 0.1-0.95."
    )
    backend: Literal["mediapipe", "litert"] = Field(
        "mediapipe",
        description=(
            'Who runs the model files: "mediapipe" (its Tasks API) or "litert" (the '
            "ai-edge-litert package running the same two .tflite files, with MediaPipe's "
            "detector, tracking and landmark decoding redone in vision/pose/litert; needs "
            "num_poses = 1)."
        ),
    )
    litert_threads: Literal["auto"] | int = Field(
        1,
        description=(
            'Threads per LiteRT model (only with backend = "litert"): 1-8, or "auto" = the cores '
            "this process may use divided by [vision] pose_workers."
        ),
    )

    _path_empty = field_validator("path", mode="before")(empty_to_none)

    @field_validator("litert_threads")
    @classmethod
    def _threads_in_range(cls, value: Literal["auto"] | int) -> Literal["auto"] | int:
        if value != "auto" and not 1 <= int(value) <= 8:
            raise ValueError("litert_threads must be 'auto' or 1-8")
        return value

    @model_validator(mode="after")
    def _litert_tracks_one_pose(self) -> ModelConfig:
        if self.backend == "litert" and self.num_poses != 1:
            raise cross_field_error(
                "backend = 'litert' tracks one pose: num_poses must be 1", "num_poses", "backend"
            )
        return self

    def threads(self, workers: int, cores: int | None = None) -> int:
        """LiteRT threads per model with ``workers`` pose workers on ``cores`` usable cores."""
        if self.litert_threads != "auto":
            return int(self.litert_threads)
        return max(1, (cores if cores is not None else usable_cores()) // max(1, workers))


class SmoothingConfig(BaseModel):
    """One Euro filter parameters for landmarks (Casiez et al., CHI 2012)."""

    model_config = STRICT

    enabled: bool = Field(
        True,
        description=(
            "One Euro filter on the landmarks (Casiez 2012): MediaPipe's Tasks API does not smooth."
        ),
    )
    min_cutoff: float = Field(
        1.0,
        gt=0,
        le=10,
        description="Cutoff at rest, Hz, above 0 to 10: lower = steadier but laggier.",
    )
    beta: float = Field(
        0.5, ge=0, le=100, description="Speed coefficient, 0-100: higher = less lag when moving."
    )
    d_cutoff: float = Field(
        1.0, gt=0, le=10, description="Cutoff for the speed estimate, Hz, above 0 to 10."
    )


class InferenceConfig(BaseModel):
    """How pose inference uses the machine's cores (the ``[vision]`` section)."""

    model_config = STRICT

    # MediaPipe's Tasks API runs one model on one core (no thread setting on Linux); N
    # landmarkers fed frames in turn use N cores. The UI keeps a core of its own.
    pose_workers: Literal["auto"] | int = Field(
        "auto",
        description=(
            "Pose models running at once, each on its own core, taking camera frames in turn: "
            "MediaPipe runs one model on one core."
        ),
    )

    @field_validator("pose_workers")
    @classmethod
    def _workers_in_range(cls, value: Literal["auto"] | int) -> Literal["auto"] | int:
        if value != "auto" and not 1 <= int(value) <= 8:
            raise ValueError("pose_workers must be 'auto' or 1-8")
        return value

    def workers(self, cores: int | None = None) -> int:
        """The number of pose workers to run (``cores``: usable cores, default this process's)."""
        if self.pose_workers != "auto":
            return int(self.pose_workers)
        return max(1, (cores if cores is not None else usable_cores()) - 1)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under ``taskset``)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1
