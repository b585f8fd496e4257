"""Choosing the member: the person on the treadmill, found by the zone, not by the tracker.

Why the zone decides (measured on ``tests/fixtures/two_people.mp4``, zone x 0.45-1.0, with
the BlazePose "full" model in VIDEO mode):

* Full frame, ``num_poses=1``: the tracker followed the platform person for 40 frames, then
  jumped to the bystander standing on the left as he leaned towards her, and stayed there.
* Full frame, ``num_poses=2``: the same jump; a second candidate never appeared, and the
  detector then runs on every frame (the tracker only skips it when ``num_poses`` people are
  tracked): 18-21 ms per frame instead of 11-12 ms.
* Frame cropped to the zone exactly: the member was lost as soon as his arms and head left it.
* Frame cropped to the zone plus a margin (`CROP_MARGIN`), ``num_poses=1``: the platform
  person was tracked in every frame and the bystander never; on ``single_person_front.mp4``
  the person at the back of the room was never picked up.

So the pipeline crops the frame to the zone plus a margin before inference (people well
outside the treadmill cannot attract the tracker at all), maps the landmarks back to the
full frame, and `MemberSelector` then keeps only a candidate whose hips are in the zone and
whose visible feet are on it, preferring continuity with the previous member. With
``num_poses > 1`` the selector picks among candidates the same way.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vision.pose.identity import MemberIdentity
from vision.settings import ZoneConfig
from vision.types import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Pose,
)

logger = logging.getLogger(__name__)

#: Extra frame fraction kept around the zone when cropping: outstretched arms, a head
#: leaning out and the tracker's own context stay in view (0.10 kept the member in every
#: frame of the two-people clip; 0 lost him when he leaned out).
CROP_MARGIN = 0.10

#: A member already selected stays selected while his hips are within this much of the zone,
#: so one leaning at the edge does not flicker in and out (hysteresis).
STAY_MARGIN = 0.05

#: A candidate within this distance (frame fraction) of the previous member's hip centre is
#: taken to be the same person when there are several candidates.
CONTINUITY_RADIUS = 0.15

#: A candidate whose torso (shoulder centre to hip centre) is shorter than this fraction of
#: the frame is not a person on the treadmill: the model, shown an empty zone, once
#: "found" a 0.02-tall body on the mats of the two-people clip. A member filmed from the
#: side of a treadmill has a torso of 0.1-0.3 of the frame.
MIN_TORSO = 0.05

#: Landmarks this visible count as seen (MediaPipe's own drawing threshold is 0.5).
MIN_VISIBILITY = 0.5

_FEET = (LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)
_LOWER_BODY = (LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE)


@dataclass(frozen=True, slots=True)
class CropRect:
    """A pixel rectangle ``[x0, x1) x [y0, y1)`` of a frame of ``frame_size`` (w, h)."""

    x0: int
    y0: int
    x1: int
    y1: int
    frame_size: tuple[int, int]

    @property
    def is_full_frame(self) -> bool:
        """True when the rectangle is the whole frame (nothing to crop)."""
        w, h = self.frame_size
        return self.x0 == 0 and self.y0 == 0 and self.x1 == w and self.y1 == h

    def crop(self, image: np.ndarray) -> np.ndarray:
        """The rectangle of ``image`` (a view; contiguous copies are the estimator's job)."""
        return image[self.y0 : self.y1, self.x0 : self.x1]

    def to_frame(self, pose: Pose) -> Pose:
        """Map a pose normalised to the crop back to full-frame normalised coordinates.

        MediaPipe's z has roughly the scale of x, so it is rescaled with the width; world
        landmarks (metres, hip-centred) do not depend on the crop.
        """
        if self.is_full_frame:
            return pose
        w, h = self.frame_size
        cw, ch = self.x1 - self.x0, self.y1 - self.y0
        image = pose.image.copy()
        image[:, 0] = (image[:, 0] * cw + self.x0) / w
        image[:, 1] = (image[:, 1] * ch + self.y0) / h
        image[:, 2] = image[:, 2] * cw / w
        return Pose(image=image, world=pose.world)


def zone_crop(
    zone: ZoneConfig, frame_size: tuple[int, int], margin: float = CROP_MARGIN
) -> CropRect:
    """The pixel rectangle inferred on: the zone grown by ``margin`` (a frame fraction)."""
    w, h = frame_size
    eps = 1e-6  # 0.35 * 360 is 125.99999...: round outwards only past float noise
    x0 = max(0, math.floor((zone.x0 - margin) * w + eps))
    y0 = max(0, math.floor((zone.y0 - margin) * h + eps))
    x1 = min(w, math.ceil((zone.x1 + margin) * w - eps))
    y1 = min(h, math.ceil((zone.y1 + margin) * h - eps))
    return CropRect(x0, y0, x1, y1, (w, h))


def hip_centre(pose: Pose) -> tuple[float, float]:
    """Normalised (x, y) midway between the hips (the model's own body anchor)."""
    x, y = (pose.image[LEFT_HIP, :2] + pose.image[RIGHT_HIP, :2]) / 2.0
    return float(x), float(y)


def torso_length(pose: Pose) -> float:
    """Normalised distance from the shoulder centre to the hip centre."""
    lm = pose.image
    shoulders = (lm[LEFT_SHOULDER, :2] + lm[RIGHT_SHOULDER, :2]) / 2.0
    hips = (lm[LEFT_HIP, :2] + lm[RIGHT_HIP, :2]) / 2.0
    return float(np.hypot(*(shoulders - hips)))


def _inside(x: float, y: float, zone: ZoneConfig, grow: float) -> bool:
    return zone.x0 - grow <= x <= zone.x1 + grow and zone.y0 - grow <= y <= zone.y1 + grow


class MemberSelector:
    """Picks the member among pose candidates: the person on the treadmill zone.

    A candidate qualifies when its hip centre lies in the zone (a member already selected:
    within `STAY_MARGIN` of it), its torso is at least `MIN_TORSO` long, and, if any foot
    landmark is visible, at least one visible foot lies on the zone too, so someone standing
    in front of the treadmill with his hips in the picture's zone is not taken for the
    member. Among qualifying candidates the one nearest the previous member (within
    `CONTINUITY_RADIUS`) wins; otherwise the one with the most lower body in the zone, then
    the tallest (nearest the camera). Nobody qualifying means no member.

    Given the frame time, the selector also keeps the member's identity by continuity
    (`vision.pose.identity`): a candidate who cannot be the member seen a moment ago (a
    passer-by in front of them, larger, lower, elsewhere, facing the other way) is not taken,
    and while the member is hidden there is no member. Not thread-safe: the pipeline applies
    a zone change from another thread between frames.
    """

    def __init__(self, zone: ZoneConfig) -> None:
        self.zone = zone
        self._previous: tuple[float, float] | None = None
        self.identity = MemberIdentity()

    def set_zone(self, zone: ZoneConfig) -> None:
        """Use a new zone from the next `select` on."""
        self.zone = zone

    def reset(self) -> None:
        """Forget the previous member (a new session, a new zone)."""
        self._previous = None
        self.identity.reset()

    def qualifies(self, pose: Pose, *, is_previous: bool = False) -> bool:
        """True when ``pose`` stands on the zone (see the class docstring)."""
        grow = STAY_MARGIN if is_previous else 0.0
        x, y = hip_centre(pose)
        if not _inside(x, y, self.zone, grow) or torso_length(pose) < MIN_TORSO:
            return False
        lm = pose.image
        feet = [i for i in _FEET if lm[i, 3] >= MIN_VISIBILITY]
        if not feet:
            return True
        return any(_inside(lm[i, 0], lm[i, 1], self.zone, STAY_MARGIN) for i in feet)

    def in_zone_fraction(self, pose: Pose) -> float:
        """Share of the visible hips, knees and ankles that lie in the zone (0..1)."""
        lm = pose.image
        seen = [i for i in _LOWER_BODY if lm[i, 3] >= MIN_VISIBILITY]
        if not seen:
            return 0.0
        inside = sum(_inside(lm[i, 0], lm[i, 1], self.zone, 0.0) for i in seen)
        return inside / len(seen)

    def select(
        self, poses: Sequence[Pose], t: float | None = None
    ) -> tuple[Pose | None, list[Pose]]:
        """(the member or None, every other candidate) for one frame's poses.

        ``t`` (seconds) turns on the identity check; without it only the zone and the
        previous position decide.
        """
        previous = self._previous
        near: list[tuple[float, int]] = []
        qualified: list[int] = []
        for i, pose in enumerate(poses):
            if t is not None and not self.identity.matches(pose, t):
                continue
            distance = math.inf
            if previous is not None:
                x, y = hip_centre(pose)
                distance = math.hypot(x - previous[0], y - previous[1])
            if self.qualifies(pose, is_previous=distance <= CONTINUITY_RADIUS):
                qualified.append(i)
                if distance <= CONTINUITY_RADIUS:
                    near.append((distance, i))
        if near:
            chosen: int | None = min(near)[1]
        elif qualified:
            chosen = max(qualified, key=lambda i: self._rank(poses[i]))
        else:
            chosen = None
        if chosen is None:
            self._previous = None
            return None, list(poses)
        member = poses[chosen]
        self._previous = hip_centre(member)
        if t is not None:
            self.identity.seen(member, t)
        return member, [p for i, p in enumerate(poses) if i != chosen]

    def _rank(self, pose: Pose) -> tuple[float, float]:
        box = pose.bbox(MIN_VISIBILITY)
        height = 0.0 if box is None else box[3] - box[1]
        return round(self.in_zone_fraction(pose), 1), height
