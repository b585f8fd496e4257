"""Which way the member faces, read from the body (nose vs ears, toes vs heels), never from motion.

A backward walker moves opposite to where they face, so the direction of motion would give
exactly the wrong answer. The face and the feet point the way the member faces.

Cues are measured in the body's own frame (across the hip->shoulder axis), not along image-x,
so a tilted camera does not change the answer.
"""

from __future__ import annotations

import logging
from typing import Literal

from vision import types as L
from vision.metrics.geometry import Landmarks, Point, distance, mid_or_either, midpoint, unit

logger = logging.getLogger(__name__)

Facing = Literal["left", "right", "camera", "away"]

#: Nose ahead of the ears by this fraction of the torso length counts as a full vote.
_FACE_FULL = 0.06
#: Toes ahead of the heels by this fraction of the torso length counts as a full vote.
_FEET_FULL = 0.12

#: A turn between facing the camera and facing away must hold this long (s): a member on a
#: treadmill turns round rarely and slowly, the model's brief whole-body flips are shorter.
TURN_HOLD_S = 1.0


def body_axes(lm: Landmarks) -> tuple[Point, Point, float] | None:
    """The body's up axis, its image-right perpendicular, and the torso length in pixels.

    ``up`` is the unit vector hip-midpoint -> shoulder-midpoint; ``right`` is ``up`` turned a
    quarter clockwise on screen (for an upright body it is image +x). None without both
    shoulders and both hips.
    """
    sh = midpoint(lm.pts[L.LEFT_SHOULDER], lm.pts[L.RIGHT_SHOULDER])
    hp = midpoint(lm.pts[L.LEFT_HIP], lm.pts[L.RIGHT_HIP])
    if sh is None or hp is None:
        return None
    torso = distance(hp, sh)
    up = unit(sh[0] - hp[0], sh[1] - hp[1])
    if up is None or torso < 1.0:
        return None
    return up, (-up[1], up[0]), torso


def side_facing_score(lm: Landmarks, right: Point, torso: float) -> float | None:
    """A vote in [-2, 2]: positive = the member faces along ``right`` (image right when upright).

    Sum of two cues, each clipped to [-1, 1]: the nose ahead of the ears, and the toes ahead of
    the heels (both feet averaged). None when neither cue is visible.
    """
    votes: list[float] = []
    nose = lm.pts[L.NOSE]
    ears = mid_or_either(lm.pts[L.LEFT_EAR], lm.pts[L.RIGHT_EAR])
    if nose is not None and ears is not None:
        d = ((nose[0] - ears[0]) * right[0] + (nose[1] - ears[1]) * right[1]) / torso
        votes.append(max(-1.0, min(1.0, d / _FACE_FULL)))
    feet: list[float] = []
    for toe_i, heel_i in ((L.LEFT_FOOT_INDEX, L.LEFT_HEEL), (L.RIGHT_FOOT_INDEX, L.RIGHT_HEEL)):
        toe, heel = lm.pts[toe_i], lm.pts[heel_i]
        if toe is not None and heel is not None:
            feet.append(((toe[0] - heel[0]) * right[0] + (toe[1] - heel[1]) * right[1]) / torso)
    if feet:
        d = sum(feet) / len(feet)
        votes.append(max(-1.0, min(1.0, d / _FEET_FULL)))
    if not votes:
        return None
    return sum(votes)


def front_facing_score(lm: Landmarks) -> float:
    """A vote in [-1, 1]: positive = facing the camera, negative = facing away.

    Read from the face: the nose and both eyes above the visibility gate mean the face is
    toward the camera, none of them means it is turned away. This cannot see a member from
    behind whose face MediaPipe still reports as visible, and the model's 3D cues do not help:
    on the front-view fixture, through the kiosk's zone crop, BlazePose swapped the shoulders
    *and* put the nose behind the ears in every frame of a man facing the camera. Where the
    camera stands behind the member, the staff say so (``posture.front_view_facing``).
    """
    seen = sum(1 for i in (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE) if lm.pts[i] is not None)
    return (seen - 1.5) / 1.5


def facing_of(lm: Landmarks, view: str, front: str = "auto") -> Facing | None:
    """The facing of one frame without memory: "left"/"right" in side view, else camera/away.

    ``front`` ("camera", "away" or "auto") is where the staff say the member faces in a
    front view; "auto" reads the face.
    """
    axes = body_axes(lm)
    if axes is None:
        return None
    _, right, torso = axes
    if view == "side":
        s = side_facing_score(lm, right, torso)
        if s is None or abs(s) < 0.3:
            return None
        return "right" if s > 0 else "left"
    if front == "camera":
        return "camera"
    if front == "away":
        return "away"
    s = front_facing_score(lm)
    if abs(s) < 0.5:
        return None
    return "camera" if s > 0 else "away"


class FacingTracker:
    """Facing with memory: a new answer must hold for ``flip_frames`` frames to replace the old.

    Single frames can mislead (a hand over the face, a foot mid-swing); a member does not turn
    round between two frames at 30 fps. Given frame times, a turn between "camera" and "away"
    must also hold for `TURN_HOLD_S`.
    """

    def __init__(self, flip_frames: int = 5, front: str = "auto") -> None:
        self.flip_frames = max(1, flip_frames)
        self.front = front
        self.reset()

    def reset(self) -> None:
        """Forget the facing."""
        self.facing: Facing | None = None
        self._candidate: Facing | None = None
        self._count = 0
        self._since: float | None = None

    def update(self, lm: Landmarks, view: str, t: float | None = None) -> Facing | None:
        """Feed one frame (at time ``t``, s); returns the current facing (None until seen)."""
        now = facing_of(lm, view, self.front)
        expected = ("left", "right") if view == "side" else ("camera", "away")
        if self.facing is not None and self.facing not in expected:
            # The view changed (side <-> front): the old answer means nothing now.
            self.reset()
        if now is None or now == self.facing:
            self._candidate, self._count = None, 0
            return self.facing
        if self.facing is None:
            self.facing = now
            return now
        if now == self._candidate:
            self._count += 1
        else:
            self._candidate, self._count, self._since = now, 1, t
        held = True
        if view != "side" and t is not None and self._since is not None:
            held = t - self._since >= TURN_HOLD_S
        if self._count >= self.flip_frames and held:
            logger.debug("facing changed %s -> %s", self.facing, now)
            self.facing, self._candidate, self._count = now, None, 0
        return self.facing
