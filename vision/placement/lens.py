"""How far the camera must stand from the member for a lens: the numbers in the setup guide."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lens:
    """A camera's field of view in degrees, as its maker publishes it (landscape)."""

    name: str
    horizontal_deg: float
    vertical_deg: float


#: The cameras a station is likely to have. Raspberry Pi's published figures for the Camera
#: Module 3 (standard and wide) and v2; a typical 1080p USB webcam (78° diagonal class).
LENSES: tuple[Lens, ...] = (
    Lens("Camera Module 3", 66.0, 41.0),
    Lens("Camera Module 3 Wide", 102.0, 67.0),
    Lens("Camera Module 2", 62.2, 48.8),
    Lens("USB webcam (78° diagonal)", 70.4, 43.3),
)

#: The tallest member planned for, metres.
MEMBER_HEIGHT_M = 1.9
#: A treadmill deck's height above the floor, metres (typical gym treadmills: 0.2-0.3 m).
DECK_HEIGHT_M = 0.25
#: The belt's walking surface, metres (gym treadmills: 1.4-1.6 m).
BELT_LENGTH_M = 1.55
#: Free space kept above the head and below the feet, a share of the member's height.
MARGIN_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a lens must stand: camera height and distance, and what it then covers."""

    lens: Lens
    portrait: bool
    camera_height_m: float
    distance_m: float
    covers_width_m: float
    covers_height_m: float


def place(
    lens: Lens,
    *,
    portrait: bool,
    member_height_m: float = MEMBER_HEIGHT_M,
    deck_m: float = DECK_HEIGHT_M,
    belt_m: float = BELT_LENGTH_M,
) -> Placement:
    """The nearest distance at which a level camera at mid-body sees head to toe with margin,
    and the whole belt's length, with this lens (turned to portrait if ``portrait``).

    The camera looks level (no tilt: a tilted camera bends the verticals the roll check reads)
    from the middle of the span it must cover, so the same half-angle covers above and below.
    """
    margin = MARGIN_SHARE * member_height_m
    bottom = deck_m - margin
    top = deck_m + member_height_m + margin
    span_v = top - bottom
    span_h = belt_m * (1 + 2 * MARGIN_SHARE)
    fov_h, fov_v = lens.horizontal_deg, lens.vertical_deg
    if portrait:
        fov_h, fov_v = fov_v, fov_h
    need_v = span_v / 2 / math.tan(math.radians(fov_v / 2))
    need_h = span_h / 2 / math.tan(math.radians(fov_h / 2))
    distance = max(need_v, need_h)
    return Placement(
        lens=lens,
        portrait=portrait,
        camera_height_m=(top + bottom) / 2,
        distance_m=distance,
        covers_width_m=2 * distance * math.tan(math.radians(fov_h / 2)),
        covers_height_m=2 * distance * math.tan(math.radians(fov_v / 2)),
    )


def best_placement(lens: Lens) -> Placement:
    """Landscape or portrait, whichever lets the camera stand closer (a gym has little room)."""
    return min((place(lens, portrait=p) for p in (False, True)), key=lambda pl: pl.distance_m)
