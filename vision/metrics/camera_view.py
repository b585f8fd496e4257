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

    In auto mode the first view is taken from a ratio outside the band between the two (see
    `_first_view`); then the view switches to front only above ``front_ratio`` and back to
    side only below ``side_ratio``, and only after ``switch_frames`` frames in a row say so;
    in between the last answer holds. A member turning slightly, or one frame whose
    shoulders collapse onto each other (seen on real footage mid-lean), does not flip it.
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
        self._provisional = False
        self._judged = 0

    def _first_view(self, r: float) -> View:
        """The first view: from the middle of the band if need be, but only provisionally.

        A ratio inside the band between the two thresholds is unclear (a side walker's arm
        swing read 0.39 on the gym clip's frame 3 and fixed a front view for 15 frames: 2.5 s
        at 6 fps, feet read in depth, false and lost steps; a front-left camera reads 0.4
        and is a front view). An unclear first view gives way to the first clear ratio of
        the other view at once; a clear one, or ``switch_frames`` frames, make it firm.
        """
        mid = 0.5 * (self.front_ratio + self.side_ratio)
        self.seen = "front" if r >= mid else "side"
        self._provisional = self.side_ratio < r < self.front_ratio
        return self.seen

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
            self._first_view(r)
            return self.view
        self._judged += 1
        if self._provisional:
            clear: View | None = None
            if r >= self.front_ratio:
                clear = "front"
            elif r <= self.side_ratio:
                clear = "side"
            if clear is not None or self._judged >= self.switch_frames:
                self._provisional = False
                if clear is not None and clear != self.seen:
                    self.seen = clear
                    logger.debug("first view corrected to %s (width ratio %.2f)", clear, r)
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
