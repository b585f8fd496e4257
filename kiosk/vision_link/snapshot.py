"""What the screen flow needs from one vision result: person, zone, whole body, the view."""

from __future__ import annotations

import logging

import numpy as np

from kiosk.flow.types import VisionSnapshot
from vision.metrics.settings import PostureConfig
from vision.types import (
    LEFT_ANKLE,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_SHOULDER,
    FrameResult,
)

logger = logging.getLogger(__name__)

#: Landmarks that must be visible (and inside the frame) for "whole body visible".
WHOLE_BODY = (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_ANKLE, RIGHT_ANKLE)


class SnapshotBuilder:
    """Builds a `VisionSnapshot` per UI frame and tells which way the camera sees the member.

    The analyzer judges by the configured view but also reports the view the camera is seen
    to have (``seen_view``): the builder compares that with the configured one, so the
    position screen can say the camera is placed wrong. One detector decides, in vision.
    """

    def __init__(self, expected_view: str, posture: PostureConfig) -> None:
        self.expected_view = expected_view
        self.gate = posture.visibility_gate
        self._last_index = -1
        self.detected_view: str | None = None

    def reset(self) -> None:
        """Forget the detected view (a new member)."""
        self.detected_view = None

    def is_view_ok(self, detected: str | None) -> bool:
        """True when the camera sees the member the way the config says (auto: side is best)."""
        wanted = "front" if self.expected_view == "front" else "side"
        return detected == wanted

    def build(
        self, result: FrameResult | None, camera: str, baseline: float, walking: bool = False
    ) -> VisionSnapshot:
        """The snapshot for this UI frame (the view is updated once per new result).

        ``baseline`` is the baseline's progress 0..1, ``walking`` True when it is a walking
        baseline.
        """
        if result is None:
            return VisionSnapshot(
                camera=camera, baseline_progress=baseline, baseline_walking=walking
            )
        pose = result.smoothed or result.pose
        whole = False
        if pose is not None:
            pts = pose.image[list(WHOLE_BODY)]
            whole = bool(
                np.all(pts[:, 3] >= self.gate)
                and np.all(
                    (pts[:, 0] >= 0) & (pts[:, 0] <= 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= 1)
                )
            )
        if result.frame_index != self._last_index:
            self._last_index = result.frame_index
            self._update_view(result)
        return VisionSnapshot(
            camera=camera,
            person=pose is not None or bool(result.others),
            whole_body=whole,
            in_zone=result.person,
            side_view=self.is_view_ok(self.detected_view),
            baseline_progress=baseline,
            baseline_walking=walking,
            view=self.detected_view,
            drift=result.metrics.drift,
            posture=result.metrics.posture,
        )

    def _update_view(self, result: FrameResult) -> None:
        if result.metrics.seen_view is not None:
            self.detected_view = result.metrics.seen_view
