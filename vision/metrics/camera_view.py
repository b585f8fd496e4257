"""Whether the camera sees the member from the side or the front/back, from body proportions."""

from __future__ import annotations

import logging
from typing import Literal

from vision import types as L
from vision.metrics.facing import body_axes
from vision.metrics.geometry import Landmarks, distance

logger = logging.getLogger(__name__)

View = Literal["side", "front"]


def width_ratio(lm: Landmarks) -> float | None:
    """Shoulder width over torso length (both in pixels), or None without shoulders and hips.

    Seen from the front a trunk's shoulders are about 0.7 torso lengths apart; seen from the side
    they overlap (about 0.1-0.2). The ratio does not depend on the camera distance or roll.
    """
    axes = body_axes(lm)
    if axes is None:
        return None
    a, b = lm.pts[L.LEFT_SHOULDER], lm.pts[L.RIGHT_SHOULDER]
    if a is None or b is None:
        return None
    return distance(a, b) / axes[2]


class ViewDetector:
    """Side or front view: fixed by the config, or ``auto`` from :func:`width_ratio`.

    In auto mode the view switches to front only above ``front_ratio`` and back to side only
    below ``side_ratio``, and only after ``switch_frames`` frames in a row say so; in between
    the last answer holds. A member turning slightly, or one frame whose shoulders collapse
    onto each other (seen on real footage mid-lean), does not flip the view.
    """

    def __init__(
        self,
        mode: str = "side",
        front_ratio: float = 0.45,
        side_ratio: float = 0.3,
        switch_frames: int = 15,
    ) -> None:
        if mode not in ("side", "front", "auto"):
            raise ValueError(f"view must be 'side', 'front' or 'auto', not {mode!r}")
        if side_ratio >= front_ratio:
            raise ValueError("side_ratio must be below front_ratio")
        self.mode = mode
        self.front_ratio = front_ratio
        self.side_ratio = side_ratio
        self.switch_frames = max(1, switch_frames)
        self.reset()

    def reset(self) -> None:
        """Forget the view the camera was seen to have."""
        self.seen: View | None = None
        self._contrary = 0

    @property
    def view(self) -> View | None:
        """The view to judge by: the configured one, or in auto mode the one seen."""
        return self.seen if self.mode == "auto" else self.mode  # type: ignore[return-value]

    def update(self, lm: Landmarks) -> View | None:
        """Feed one frame; returns `view` (None in auto mode until it is known).

        `seen` is measured in every mode, so a fixed view can still be checked against what
        the camera sees (the position screen says when the camera is placed wrong).
        """
        r = width_ratio(lm)
        if r is None:
            return self.view
        if self.seen is None:
            mid = 0.5 * (self.front_ratio + self.side_ratio)
            self.seen = "front" if r >= mid else "side"
            return self.view
        if (self.seen == "side" and r > self.front_ratio) or (
            self.seen == "front" and r < self.side_ratio
        ):
            self._contrary += 1
        else:
            self._contrary = 0
        if self._contrary >= self.switch_frames:
            self.seen = "front" if self.seen == "side" else "side"
            self._contrary = 0
            logger.debug("view seen changed to %s (width ratio %.2f)", self.seen, r)
        return self.view
