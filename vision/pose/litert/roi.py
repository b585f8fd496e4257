"""The rotated square a landmark model looks at, and the warps in and out of its tensor."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The region is the alignment circle's square grown by this (MediaPipe trained with it).
ROI_SCALE = 1.25
#: The body's centre-to-top vector is turned to point up (90 degrees).
TARGET_ANGLE = math.pi / 2


def normalize_radians(angle: float) -> float:
    """``angle`` brought into [-pi, pi)."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


@dataclass(frozen=True, slots=True)
class Roi:
    """A rotated square in image pixels: centre, side, and clockwise rotation (radians)."""

    cx: float
    cy: float
    size: float
    rotation: float

    @classmethod
    def from_alignment(cls, centre: np.ndarray, scale_point: np.ndarray) -> Roi:
        """The region for a body whose hips are at ``centre`` (pixels) and ``scale_point``
        marks the circle around it (the detector's keypoints 0 and 1, or the landmark
        model's two auxiliary points).

        The circle's radius gives a square of side 2 r, turned so that the centre-to-scale
        vector points up, then grown by `ROI_SCALE`: MediaPipe's alignment-points rect and
        rect transformation (square on the long side, which it already is in pixels).
        """
        dx, dy = float(scale_point[0] - centre[0]), float(scale_point[1] - centre[1])
        size = 2.0 * math.hypot(dx, dy) * ROI_SCALE
        # Image y points down: the angle of (dx, -dy) is the mathematical one.
        rotation = normalize_radians(TARGET_ANGLE - math.atan2(-dy, dx))
        return cls(float(centre[0]), float(centre[1]), size, rotation)

    def to_tensor(self, side: int) -> np.ndarray:
        """The 2 x 3 affine map from image pixels to a ``side`` x ``side`` tensor's pixels.

        The region's corners land on the tensor's corners (0 and ``side``), as MediaPipe's
        image-to-tensor warp does; rotated by the region's angle the other way.
        """
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = side / self.size
        # tensor = k * R(-rotation) @ (p - centre) + side / 2
        a = np.array([[c, s], [-s, c]]) * k
        offset = side / 2.0 - a @ np.array([self.cx, self.cy])
        return np.hstack([a, offset[:, None]])

    def to_image(self, unit_xy: np.ndarray) -> np.ndarray:
        """Points given in the region's own 0..1 square (N x 2) as image pixels (N x 2)."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        local = (unit_xy - 0.5) * self.size
        x = c * local[:, 0] - s * local[:, 1] + self.cx
        y = s * local[:, 0] + c * local[:, 1] + self.cy
        return np.stack([x, y], axis=1)
