"""The member's identity by continuity: where they stand, how big they look, which way they face.

A treadmill holds its member in one place: the hips barely move across the frame, their
height in the frame does not change, the body's apparent size does not change, and they face
one way. A passer-by who walks in front of the treadmill differs in at least one of these
(nearer the camera = larger and lower in the frame; walking across = far from where the
member was; often facing the other way). While such a person hides the member, the pipeline
must report "no person", not coach the stranger (before this, facing flipped and belt drift
jumped to the stranger's position).

`MemberIdentity` remembers the member's signature and says whether a candidate is the same
person. After `FORGET_S` without a match the signature is dropped, so a new member who steps
on is taken up within seconds.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from vision.types import LEFT_EAR, NOSE, RIGHT_EAR, Pose

logger = logging.getLogger(__name__)

#: Without a match for this long (s) the member has left; the next person is a new member.
FORGET_S = 3.0

#: How far the hips may move across the frame between two sightings: a base for landmark
#: jitter and stepping about, plus a speed (frame fractions per second) for a member walking
#: off the belt's end or re-centring.
BASE_RADIUS = 0.08
RADIUS_PER_S = 0.15

#: Apparent torso size may change this much (ratio) from the last sighting, plus
#: `SIZE_PER_S` per second since: a member on a belt stays at one distance from the camera
#: and changes shape smoothly (a man leaning far sideways in single_person_front.mp4 grew
#: 4 % a frame at most); a passer-by in front of them looks larger at once.
SIZE_TOLERANCE = 0.15
SIZE_PER_S = 0.3

#: Hips may move up or down by this fraction of the torso (bending, landmark noise); a person
#: nearer the camera stands lower in the frame.
HEIGHT_TOLERANCE = 0.4

#: A member may turn around (forward/backward intervals) only on the spot: a candidate facing
#: the other way must match position and size this tightly.
TURN_RADIUS = 0.04
TURN_SIZE_TOLERANCE = 0.08

#: The nose ahead of the ear midpoint by this fraction of the torso decides the side facing.
_FACE_MIN = 0.04


@dataclass(slots=True)
class Signature:
    """What identifies the member: hip centre, torso length (frame fractions), facing sign."""

    x: float
    y: float
    torso: float
    facing: int  # +1 faces image right, -1 left, 0 unknown (e.g. a front view)
    t: float


def _hips(pose: Pose) -> tuple[float, float]:
    x, y = (pose.image[23, :2] + pose.image[24, :2]) / 2.0
    return float(x), float(y)


def _torso(pose: Pose) -> float:
    lm = pose.image
    sh = (lm[11, :2] + lm[12, :2]) / 2.0
    hp = (lm[23, :2] + lm[24, :2]) / 2.0
    return float(math.hypot(*(sh - hp)))


def side_facing(pose: Pose) -> int:
    """+1 when the nose is to the image right of the ears, -1 left, 0 when not clear."""
    lm = pose.image
    ears = (lm[LEFT_EAR, 0] + lm[RIGHT_EAR, 0]) / 2.0
    d = (lm[NOSE, 0] - ears) / max(_torso(pose), 1e-6)
    if abs(d) < _FACE_MIN:
        return 0
    return 1 if d > 0 else -1


def signature(pose: Pose, t: float) -> Signature:
    """The identifying features of ``pose`` seen at ``t``."""
    x, y = _hips(pose)
    return Signature(x, y, _torso(pose), side_facing(pose), t)


class MemberIdentity:
    """Remembers who the member is and tells them apart from a passer-by (see module doc)."""

    def __init__(self) -> None:
        self.member: Signature | None = None

    def reset(self) -> None:
        """Forget the member (a new session, a new zone)."""
        self.member = None

    def expired(self, t: float) -> bool:
        """True when no member is remembered or they have been gone for `FORGET_S`."""
        return self.member is None or t - self.member.t > FORGET_S

    def matches(self, pose: Pose, t: float) -> bool:
        """True when ``pose`` can be the remembered member (always, if none is remembered)."""
        m = self.member
        if m is None or self.expired(t):
            return True
        c = signature(pose, t)
        dt = max(0.0, t - m.t)
        dist = math.hypot(c.x - m.x, c.y - m.y)
        size = abs(c.torso / m.torso - 1.0) if m.torso > 0 else 0.0
        if dist > BASE_RADIUS + RADIUS_PER_S * dt or size > SIZE_TOLERANCE + SIZE_PER_S * dt:
            return False
        if abs(c.y - m.y) > HEIGHT_TOLERANCE * m.torso:
            return False
        if m.facing and c.facing and c.facing != m.facing:
            return dist <= TURN_RADIUS and size <= TURN_SIZE_TOLERANCE
        return True

    def seen(self, pose: Pose, t: float) -> None:
        """Record a sighting of the member."""
        c = signature(pose, t)
        m = self.member
        if m is not None and not self.expired(t) and c.facing == 0:
            c.facing = m.facing
        self.member = c
