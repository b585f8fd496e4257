"""Small geometry helpers on landmark points: pixel conversion, midpoints, angles from vertical.

Metrics run once per frame on 33 landmarks, so they work on plain Python floats: on arrays this
small, numpy's per-call overhead costs more than the arithmetic (measured: ~1 us per numpy
call vs ~0.1 us per float operation).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vision.types import NUM_LANDMARKS

#: A point in pixels (x right, y down) or None when the landmark is unknown.
Point = tuple[float, float]


@dataclass(slots=True)
class Landmarks:
    """One pose's image landmarks as pixel points, with the gated ones set to None.

    ``pts[i]`` is ``(x_px, y_px)`` or None when landmark ``i`` is missing, not finite or below
    the visibility gate; ``vis[i]`` is its visibility (0 when missing). ``world[i]`` is the
    world landmark (metres, x right, y down, z away from the camera) or None.
    """

    pts: list[Point | None]
    vis: list[float]
    world: list[tuple[float, float, float] | None]
    frame_size: tuple[int, int]


def to_landmarks(
    image: np.ndarray,
    world: np.ndarray | None,
    frame_size: tuple[int, int],
    gate: float,
) -> Landmarks:
    """Convert a pose's arrays to gated pixel points (one ``tolist`` call, then plain floats).

    Normalised x, y are multiplied by the frame width and height so that angles are measured
    with square pixels: in normalised units a 360x640 portrait frame would stretch every
    horizontal offset by 640/360 and turn a 20 deg lean into 33 deg.
    """
    w, h = frame_size
    rows = image.tolist() if image is not None and image.ndim == 2 else []
    wrows = world.tolist() if world is not None and len(world) == len(rows) else None
    pts: list[Point | None] = []
    vis: list[float] = []
    wpts: list[tuple[float, float, float] | None] = []
    for i, row in enumerate(rows):
        if len(row) < 2:
            row = [math.nan, math.nan]
        x, y = row[0], row[1]
        v = row[3] if len(row) > 3 else 1.0
        if not (math.isfinite(v)):
            v = 0.0
        ok = math.isfinite(x) and math.isfinite(y) and v >= gate
        pts.append((x * w, y * h) if ok else None)
        vis.append(v if ok else 0.0)
        if wrows is not None and ok:
            wr = wrows[i]
            if len(wr) >= 3 and all(math.isfinite(c) for c in wr[:3]):
                wpts.append((wr[0], wr[1], wr[2]))
                continue
        wpts.append(None)
    # A short or empty array (a broken estimator) reads as landmarks that are all missing.
    missing = NUM_LANDMARKS - len(pts)
    if missing > 0:
        pts.extend([None] * missing)
        vis.extend([0.0] * missing)
        wpts.extend([None] * missing)
    return Landmarks(pts=pts, vis=vis, world=wpts, frame_size=(w, h))


def midpoint(a: Point | None, b: Point | None) -> Point | None:
    """The midpoint of two points, or None when either is unknown."""
    if a is None or b is None:
        return None
    return ((a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5)


def mid_or_either(a: Point | None, b: Point | None) -> Point | None:
    """The midpoint when both are known, else whichever one is known (e.g. the near ear)."""
    if a is None:
        return b
    if b is None:
        return a
    return ((a[0] + b[0]) * 0.5, (a[1] + b[1]) * 0.5)


def distance(a: Point, b: Point) -> float:
    """Euclidean distance between two points."""
    return math.hypot(b[0] - a[0], b[1] - a[1])


def angle_from_vertical(lower: Point, upper: Point) -> float:
    """Signed angle (deg) of the segment lower -> upper from image-vertical (up).

    Positive when ``upper`` lies to the image's right of ``lower`` (image y points down), so
    rotating the image clockwise by t (as seen on screen) adds t.
    """
    dx = upper[0] - lower[0]
    dy = upper[1] - lower[1]
    return math.degrees(math.atan2(dx, -dy))


def angle_from_horizontal(left: Point, right: Point) -> float:
    """Signed angle (deg) of the segment from horizontal: positive when ``right`` is higher.

    Measured on the absolute x extent, so the result stays in [-90, 90] whichever point is
    further right in the image.
    """
    dx = abs(right[0] - left[0])
    dy = left[1] - right[1]  # image y points down: right higher -> positive
    return math.degrees(math.atan2(dy, dx))


def unit(dx: float, dy: float) -> Point | None:
    """The unit vector along (dx, dy), or None for a zero-length vector."""
    n = math.hypot(dx, dy)
    if n < 1e-9:
        return None
    return (dx / n, dy / n)


def finite_or_none(x: float | None, ndigits: int | None = None) -> float | None:
    """``x`` as a float, or None when it is None, NaN or infinite (nothing NaN leaves here)."""
    if x is None or not math.isfinite(x):
        return None
    return round(x, ndigits) if ndigits is not None else float(x)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean of a non-empty sequence."""
    return sum(values) / len(values)


def stdev(values: Sequence[float]) -> float:
    """Sample standard deviation (0 for fewer than two values)."""
    n = len(values)
    if n < 2:
        return 0.0
    m = sum(values) / n
    return math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence."""
    return float(statistics.median(values))
