"""The member's identity by continuity: where they stand, how big they look, which way they face.

A treadmill holds its member in one place: the hips barely move across the frame, their
height in the frame does not change, the body's apparent size does not change, and they face
one way. A passer-by who walks in front of the treadmill differs in at least one of these
(nearer the camera = larger and lower in the frame; walking across = far from where the
member was; often facing the other way). While such a person hides the member, the pipeline
must report "no person", not coach the stranger (before this, facing flipped and belt drift
jumped to the stranger's position).

`MemberIdentity` remembers the member's signature and says whether a candidate is the same
person: like the last sighting, with allowances for how much a person can change in the time
since, or like the member's usual self (the median of their sightings over `ANCHOR_S`).
A hidden member does not change size or height, so those allowances stop growing after
`GROWTH_CAP_S` (before, they grew with the time hidden: after a third of a second behind a
passer-by 1.2x their size, the passer-by was "the member" and followed off the belt, and the
real member, back in plain view, no longer matched the stranger's signature until `FORGET_S`
had passed). After `FORGET_S` without a match the signature is dropped, so a new member who
steps on is taken up within seconds.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass
from statistics import median

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
#: 4 % a frame at most, 58 % in 0.7 s); a passer-by in front of them looks larger at once.
SIZE_TOLERANCE = 0.15
SIZE_PER_S = 0.3

#: Hips may move up or down by this fraction of the torso from the last sighting (the bob
#: of walking, about 0.1 torso peak to peak on the gym clip, and landmark noise), plus
#: `HEIGHT_PER_S` per second since (bending: the leaning man's hips sank 0.33 torso in
#: 1.3 s); a person nearer the camera stands lower in the frame, a taller one's hips higher.
HEIGHT_TOLERANCE = 0.2
HEIGHT_PER_S = 0.25

#: The size and height allowances grow with the time since the last sighting only up to
#: this (the frame interval at 5 fps, the slowest the kiosk runs): a member hidden behind
#: someone does not change, and a longer gap must not let a stranger pass for them (eng.).
GROWTH_CAP_S = 0.2

#: The member's usual self is the median of their sightings in this long before the newest:
#: one wrong sighting cannot move it, and the member back in their place matches it.
ANCHOR_S = 1.0

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


def _alike(c: Signature, ref: Signature, dt: float) -> bool:
    """True when ``c`` can be the person of ``ref`` seen ``dt`` seconds before."""
    grow = min(dt, GROWTH_CAP_S)
    dist = math.hypot(c.x - ref.x, c.y - ref.y)
    # Where: a member may move along the belt while hidden, so this allowance keeps growing.
    if dist > BASE_RADIUS + RADIUS_PER_S * dt:
        return False
    size = abs(c.torso / ref.torso - 1.0) if ref.torso > 0 else 0.0
    if size > SIZE_TOLERANCE + SIZE_PER_S * grow:
        return False
    if abs(c.y - ref.y) > (HEIGHT_TOLERANCE + HEIGHT_PER_S * grow) * ref.torso:
        return False
    if ref.facing and c.facing and c.facing != ref.facing:
        return dist <= TURN_RADIUS and size <= TURN_SIZE_TOLERANCE
    return True


class MemberIdentity:
    """Remembers who the member is and tells them apart from a passer-by (see module doc)."""

    def __init__(self) -> None:
        self.member: Signature | None = None
        self._recent: deque[Signature] = deque()

    def reset(self) -> None:
        """Forget the member (a new session, a new zone)."""
        self.member = None
        self._recent.clear()

    @property
    def usual(self) -> Signature | None:
        """The member as usually seen: the median hips and torso of the recent sightings."""
        if not self._recent:
            return None
        last = self._recent[-1]
        return Signature(
            median(s.x for s in self._recent),
            median(s.y for s in self._recent),
            median(s.torso for s in self._recent),
            last.facing,
            last.t,
        )

    def expired(self, t: float) -> bool:
        """True when no member is remembered or they have been gone for `FORGET_S`."""
        return self.member is None or t - self.member.t > FORGET_S

    def matches(self, pose: Pose, t: float) -> bool:
        """True when ``pose`` can be the remembered member (always, if none is remembered)."""
        m = self.member
        if m is None or self.expired(t):
            return True
        c = signature(pose, t)
        if _alike(c, m, max(0.0, t - m.t)):
            return True
        # Back at their usual place and size: the member, even if the last sighting was not.
        usual = self.usual
        return usual is not None and _alike(c, usual, 0.0)

    def seen(self, pose: Pose, t: float) -> None:
        """Record a sighting of the member."""
        c = signature(pose, t)
        m = self.member
        if m is not None and not self.expired(t) and c.facing == 0:
            c.facing = m.facing
        if self.expired(t):
            self._recent.clear()  # a new member: nothing of the last one's looks
        self.member = c
        self._recent.append(c)
        while self._recent[0].t < t - ANCHOR_S:
            self._recent.popleft()
