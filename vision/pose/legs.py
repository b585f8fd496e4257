"""Leg identity by continuity: undo the pose model's brief left/right leg swaps.

In a side view the far leg is hidden behind the near one, and BlazePose often gives the
left leg's landmarks the right leg's label (and back) for a frame or two, or for good. The
smoother would then blend the two feet into one point between them for several frames, and
the gait code would see a foot jump. `LegTracker` keeps each leg's track by continuity: when
the model's legs, swapped, sit much nearer last frame's legs than as labelled, it swaps them
back. The names that result are consistent, not necessarily anatomical; nothing downstream
needs more (steps alternate, see `vision.metrics.gait`).
"""

from __future__ import annotations

import logging

import numpy as np

from vision.types import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_KNEE,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_KNEE,
    Pose,
)

logger = logging.getLogger(__name__)

_LEFT = [LEFT_KNEE, LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX]
_RIGHT = [RIGHT_KNEE, RIGHT_ANKLE, RIGHT_HEEL, RIGHT_FOOT_INDEX]
_SWAP_FROM = _LEFT + _RIGHT
_SWAP_TO = _RIGHT + _LEFT

#: Swap only when the swapped legs are this much nearer (cost ratio): between frames a foot
#: in swing moves a lot, so a near tie is motion, not a swap.
SWAP_RATIO = 0.6

#: Frames further apart than this (s) carry no continuity: at 6 fps the feet can cross
#: between two frames, and matching them by position would swap them wrongly.
MAX_GAP_S = 0.12


def swap_legs(pose: Pose) -> Pose:
    """The same pose with the left and right leg landmarks exchanged."""
    image, world = pose.image.copy(), pose.world.copy()
    image[_SWAP_TO] = pose.image[_SWAP_FROM]
    world[_SWAP_TO] = pose.world[_SWAP_FROM]
    return Pose(image=image, world=world)


def _cost(a: np.ndarray, b: np.ndarray, left: list[int], right: list[int]) -> float:
    return float(
        np.linalg.norm(a[_LEFT] - b[left], axis=1).sum()
        + np.linalg.norm(a[_RIGHT] - b[right], axis=1).sum()
    )


class LegTracker:
    """Keeps each leg's landmarks under one name from frame to frame (see the module doc)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the previous legs (a new member, or the member was lost)."""
        self._prev: np.ndarray | None = None
        self._prev_t: float | None = None
        self._swapped = False
        self.swaps = 0

    def update(self, t: float, pose: Pose) -> Pose:
        """``pose`` with its legs named as in the previous frame (swapped back if needed)."""
        prev, prev_t = self._prev, self._prev_t
        if prev is None or prev_t is None or not 0 < t - prev_t <= MAX_GAP_S:
            # No continuity to judge by: trust the model's own labels again.
            self._swapped = False
        else:
            xy = pose.image[:, :2]
            left, right = (_RIGHT, _LEFT) if self._swapped else (_LEFT, _RIGHT)
            keep = _cost(prev, xy, left, right)
            swap = _cost(prev, xy, right, left)
            if swap < SWAP_RATIO * keep:
                self._swapped = not self._swapped
                self.swaps += 1
        out = swap_legs(pose) if self._swapped else pose
        self._prev, self._prev_t = out.image[:, :2].copy(), t
        return out
