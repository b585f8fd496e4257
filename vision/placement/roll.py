"""The camera's roll, read from the straight edges of the room or the treadmill in one frame."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

#: Lines within this many degrees of horizontal or vertical are taken as level/plumb edges;
#: steeper ones are perspective (a belt seen end-on, a ceiling receding) or limbs.
EDGE_TOLERANCE_DEG = 12.0
#: A line shorter than this share of the frame's shorter side is texture, not an edge.
MIN_LINE_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class RollEstimate:
    """The camera's roll in degrees (+ clockwise as the member sees the picture) and its basis.

    ``lines`` is how many straight edges agreed; ``roll_deg`` is None when none were seen.
    """

    roll_deg: float | None
    lines: int
    source: str
    #: how far the edges disagree (length-weighted interquartile range, degrees)
    spread_deg: float = 0.0


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][min(len(values) - 1, np.searchsorted(cum, cum[-1] * q))])


def estimate_roll(
    image: np.ndarray, mask_box: tuple[float, float, float, float] | None = None
) -> RollEstimate:
    """Roll from the long, nearly level or plumb edges in an RGB ``image``.

    A level camera sees a wall's base, a treadmill's deck and rails as horizontal, door frames
    and posts as vertical; a rolled camera turns them all by the same angle. Edges are found
    with Canny and a probabilistic Hough transform; ``mask_box`` (normalised x0, y0, x1, y1)
    hides the member, whose limbs are straight too. The answer is the length-weighted median
    of each edge's deviation from level or plumb, so a few perspective lines do not move it.
    """
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    edges = cv2.Canny(cv2.GaussianBlur(gray, (5, 5), 0), 50, 150)
    if mask_box is not None:
        x0, y0, x1, y1 = mask_box
        edges[
            max(0, int(y0 * h)) : min(h, math.ceil(y1 * h)),
            max(0, int(x0 * w)) : min(w, math.ceil(x1 * w)),
        ] = 0
    min_len = MIN_LINE_SHARE * min(h, w)
    lines = cv2.HoughLinesP(
        edges, 1, np.pi / 720, threshold=60, minLineLength=min_len, maxLineGap=8
    )
    if lines is None:
        return RollEstimate(None, 0, "no straight edges")
    seg = np.asarray(lines, dtype=float).reshape(-1, 4)  # (N,1,4) in OpenCV 4, (N,4) in 5
    dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    length = np.hypot(dx, dy)
    # image y points down, so a positive angle is a clockwise turn of the line on screen
    angle = np.degrees(np.arctan2(dy, dx))
    angle = (angle + 90.0) % 180.0 - 90.0  # -90..90: the line's direction, either way along it
    level = np.abs(angle) <= EDGE_TOLERANCE_DEG
    plumb = np.abs(np.abs(angle) - 90.0) <= EDGE_TOLERANCE_DEG
    deviation = np.where(level, angle, np.where(angle > 0, angle - 90.0, angle + 90.0))
    keep = level | plumb
    if not np.any(keep):
        return RollEstimate(None, 0, "no level or plumb edges")
    dev, weight = deviation[keep], length[keep]
    roll = _weighted_quantile(dev, weight, 0.5)
    spread = _weighted_quantile(dev, weight, 0.75) - _weighted_quantile(dev, weight, 0.25)
    return RollEstimate(
        round(roll, 2), int(np.count_nonzero(keep)), "straight edges in the room", round(spread, 2)
    )
