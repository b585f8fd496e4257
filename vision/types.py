"""Data passed between the vision stages and to the kiosk: frames, poses, per-frame results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Number of BlazePose landmarks.
NUM_LANDMARKS = 33

# BlazePose landmark indices used by the metrics (names as in the MediaPipe docs).
NOSE = 0
LEFT_EYE = 2
RIGHT_EYE = 5
LEFT_EAR = 7
RIGHT_EAR = 8
LEFT_SHOULDER = 11
RIGHT_SHOULDER = 12
LEFT_ELBOW = 13
RIGHT_ELBOW = 14
LEFT_WRIST = 15
RIGHT_WRIST = 16
LEFT_HIP = 23
RIGHT_HIP = 24
LEFT_KNEE = 25
RIGHT_KNEE = 26
LEFT_ANKLE = 27
RIGHT_ANKLE = 28
LEFT_HEEL = 29
RIGHT_HEEL = 30
LEFT_FOOT_INDEX = 31
RIGHT_FOOT_INDEX = 32

#: Bones drawn as the skeleton (pairs of landmark indices).
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (LEFT_SHOULDER, RIGHT_SHOULDER),
    (LEFT_SHOULDER, LEFT_ELBOW),
    (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW),
    (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_SHOULDER, LEFT_HIP),
    (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_HIP, RIGHT_HIP),
    (LEFT_HIP, LEFT_KNEE),
    (LEFT_KNEE, LEFT_ANKLE),
    (LEFT_ANKLE, LEFT_HEEL),
    (LEFT_HEEL, LEFT_FOOT_INDEX),
    (LEFT_ANKLE, LEFT_FOOT_INDEX),
    (RIGHT_HIP, RIGHT_KNEE),
    (RIGHT_KNEE, RIGHT_ANKLE),
    (RIGHT_ANKLE, RIGHT_HEEL),
    (RIGHT_HEEL, RIGHT_FOOT_INDEX),
    (RIGHT_ANKLE, RIGHT_FOOT_INDEX),
)


@dataclass(slots=True)
class Frame:
    """One captured image.

    ``image`` is RGB (H x W x 3, uint8), already rotated as the config asks, never mirrored
    (mirroring is a display concern). ``t`` is ``time.monotonic()`` at capture; ``index``
    counts frames delivered by the source since it was opened; ``media_t`` is the position in
    a video file (seconds) or ``None`` for a live camera. ``discontinuity`` is True on the
    first frame after the scene jumped (a looping file starting over): whoever is in view
    may be somewhere else than a frame ago, so motion must not be measured across it.
    """

    image: np.ndarray
    t: float
    index: int
    media_t: float | None = None
    discontinuity: bool = False

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        h, w = self.image.shape[:2]
        return w, h


@dataclass(slots=True)
class Pose:
    """One person's landmarks from the pose model.

    ``image`` is 33 x 4: x, y normalised to the full frame (0..1, may fall outside), z
    (MediaPipe's relative depth) and visibility (0..1). ``world`` is 33 x 3 metres, origin
    between the hips, y pointing down (MediaPipe convention).
    """

    image: np.ndarray
    world: np.ndarray

    def bbox(self, min_visibility: float = 0.3) -> tuple[float, float, float, float] | None:
        """Normalised (x0, y0, x1, y1) of the landmarks at least this visible, or None."""
        vis = self.image[:, 3] >= min_visibility
        if not np.any(vis):
            return None
        xy = self.image[vis, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


@dataclass(slots=True)
class Event:
    """Something that happened at an instant: a step, a fault that persisted, a safety alert.

    ``kind`` is e.g. ``"step"``, ``"fault"``, ``"fault_cleared"``, ``"safety"``; ``data``
    holds kind-specific fields (``side``, ``toe_first``, ``fault`` ...), JSON-serialisable.
    """

    kind: str
    t: float
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A flat JSON-ready dict: ``{"kind": ..., "t": ..., **data}``."""
        return {"kind": self.kind, "t": round(self.t, 3), **self.data}


#: The per-frame metrics, in output order (the columns of ``backstep analyze``).
METRIC_KEYS = (
    "view",
    "facing",
    "trunk_lean_deg",
    "lateral_lean_deg",
    "head_forward_deg",
    "hip_tilt_deg",
    "posture",
    "core_score",
    "cadence_spm",
    "step_time_cv",
    "symmetry",
    "trunk_oscillation_deg",
    "lateral_sway_deg",
    "drift",
)


@dataclass(slots=True)
class FrameMetrics:
    """What the analyzer measured on one frame; None = unknown (never NaN).

    ``view`` "side"/"front"; ``facing`` "left"/"right"/"camera"/"away"; angles in degrees
    relative to vertical (``trunk_lean_deg`` + toward the face, ``lateral_lean_deg`` + toward
    the member's own right); ``posture`` the classifier's state ("upright", "leaning_forward",
    ..., "no_person"); ``core_score`` 0-100; ``cadence_spm`` steps/min, judged only once
    ``cadence_settled``; ``drift`` 0 = front of the zone .. 1 = back; ``steps`` counted since
    the member was found. The lean gauge: ``gauge_lean_deg`` is the lean measured from the
    member's baseline (side view: sagittal, + toward the face; front view: lateral, + toward
    their right), ``gauge_limit_plus_deg`` / ``gauge_limit_minus_deg`` the limits in force
    either way from that centre; ``baseline`` True when judged against the member's own
    baseline, False on the absolute safety limits alone.
    """

    view: str | None = None
    #: the view the camera is seen to have, whatever ``camera.view`` says (None: not yet)
    seen_view: str | None = None
    facing: str | None = None
    trunk_lean_deg: float | None = None
    lateral_lean_deg: float | None = None
    head_forward_deg: float | None = None
    hip_tilt_deg: float | None = None
    posture: str | None = None
    core_score: float | None = None
    cadence_spm: float | None = None
    step_time_cv: float | None = None
    symmetry: float | None = None
    trunk_oscillation_deg: float | None = None
    lateral_sway_deg: float | None = None
    drift: float | None = None
    cadence_settled: bool = False
    steps: int = 0
    gauge_lean_deg: float | None = None
    gauge_limit_plus_deg: float = 0.0
    gauge_limit_minus_deg: float = 0.0
    baseline: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The `METRIC_KEYS` as a JSON-ready dict (for files and logs)."""
        return {key: getattr(self, key) for key in METRIC_KEYS}


@dataclass(slots=True)
class FrameResult:
    """What the pipeline knows after one frame.

    ``pose`` is the member's raw landmarks, ``smoothed`` the One-Euro-filtered ones (metrics
    are computed on these); both are None when no member is in the zone. ``metrics`` is what
    the analyzer measured (`FrameMetrics`). ``timings`` holds per-stage seconds for
    ``bench``.
    """

    frame_index: int
    t: float
    media_t: float | None
    frame_size: tuple[int, int]
    pose: Pose | None = None
    smoothed: Pose | None = None
    others: list[Pose] = field(default_factory=list)
    metrics: FrameMetrics = field(default_factory=FrameMetrics)
    events: list[Event] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    captured_t: float = 0.0

    @property
    def person(self) -> bool:
        """True when a member was found in the treadmill zone."""
        return self.smoothed is not None
