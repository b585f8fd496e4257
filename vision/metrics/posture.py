"""Posture angles of one frame: trunk lean, lateral lean, head forward, hip-line tilt (degrees).

All angles are measured in the image plane with square pixels (normalised landmarks times the
frame size). That choice is deliberate: the image plane is what the camera sees, so tilting the
camera by t shifts every reported angle by exactly t, which a calibration (the standing
baseline) then removes. World landmarks are the model's 3D guess in a frame it picks itself;
their vertical axis follows the model's idea of "up", which moves with pose and is not the
camera's, so a camera roll would not show up predictably in them.

A view cannot see every angle: trunk lean and head forward need a side view, lateral lean and
hip tilt a front or back view. Unseen metrics are None (unknown), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from vision import types as L
from vision.metrics.geometry import (
    Landmarks,
    angle_from_horizontal,
    angle_from_vertical,
    mid_or_either,
    midpoint,
)


@dataclass(slots=True)
class PostureSample:
    """Posture angles of one frame (degrees; None = unknown from this view or these landmarks).

    ``trunk_lean_deg``: hip-midpoint -> shoulder-midpoint from vertical in the sagittal plane
    (side view), positive toward the member's face. ``lateral_lean_deg``: the same line in the
    frontal plane (front/back view), positive toward the member's right. ``head_forward_deg``:
    shoulder-midpoint -> ear from vertical (side view), positive toward the face.
    ``hip_tilt_deg``: left hip -> right hip from horizontal (front/back view), positive when the
    right hip is higher. ``trunk_image_deg``: the hip->shoulder line from image vertical,
    positive toward image right, whatever the view (used for fall detection and angular
    velocity).
    """

    trunk_lean_deg: float | None = None
    lateral_lean_deg: float | None = None
    head_forward_deg: float | None = None
    hip_tilt_deg: float | None = None
    trunk_image_deg: float | None = None


def trunk_image_angle(lm: Landmarks) -> float | None:
    """Hip-midpoint -> shoulder-midpoint from image vertical (deg, + = image right), or None."""
    sh = midpoint(lm.pts[L.LEFT_SHOULDER], lm.pts[L.RIGHT_SHOULDER])
    hp = midpoint(lm.pts[L.LEFT_HIP], lm.pts[L.RIGHT_HIP])
    if sh is None or hp is None:
        return None
    return angle_from_vertical(hp, sh)


def face_sign(facing: str | None) -> float | None:
    """+1 when the member's face points to image right (side view), -1 for left, else None."""
    if facing == "right":
        return 1.0
    if facing == "left":
        return -1.0
    return None


def right_sign(facing: str | None) -> float | None:
    """+1 when the member's right side is image right (front/back view), -1 if left, else None.

    Facing the camera, the member's right appears on the image left.
    """
    if facing == "away":
        return 1.0
    if facing == "camera":
        return -1.0
    return None


def trunk_lean(lm: Landmarks, facing: str | None) -> float | None:
    """Sagittal trunk lean (side view), positive toward the member's face; None if unknown."""
    s = face_sign(facing)
    a = trunk_image_angle(lm)
    return None if s is None or a is None else s * a


def lateral_lean(lm: Landmarks, facing: str | None) -> float | None:
    """Frontal-plane trunk lean (front/back view), positive toward the member's right."""
    s = right_sign(facing)
    a = trunk_image_angle(lm)
    return None if s is None or a is None else s * a


def head_forward(lm: Landmarks, facing: str | None) -> float | None:
    """Shoulder-midpoint -> ear from vertical (side view), positive toward the face.

    The near ear alone is used when the far one is hidden (usual in a side view).
    """
    s = face_sign(facing)
    sh = midpoint(lm.pts[L.LEFT_SHOULDER], lm.pts[L.RIGHT_SHOULDER])
    ear = mid_or_either(lm.pts[L.LEFT_EAR], lm.pts[L.RIGHT_EAR])
    if s is None or sh is None or ear is None:
        return None
    return s * angle_from_vertical(sh, ear)


def hip_tilt(lm: Landmarks, facing: str | None) -> float | None:
    """Hip line from horizontal (front/back view), positive when the member's right hip is higher.

    The member's right side is found from ``facing``, not from the model's left/right labels,
    which swap when the trunk leans far sideways.
    """
    s = right_sign(facing)
    a, b = lm.pts[L.LEFT_HIP], lm.pts[L.RIGHT_HIP]
    if s is None or a is None or b is None:
        return None
    left, right = (a, b) if a[0] <= b[0] else (b, a)
    return s * angle_from_horizontal(left, right)


def posture_sample(
    lm: Landmarks, view: str | None, facing: str | None, roll_deg: float = 0.0
) -> PostureSample:
    """All posture angles this view can see; the others stay None.

    ``roll_deg`` is the camera's roll (``posture.camera_roll_deg``: how far a truly vertical
    line leans toward image right): it is taken off every angle from image vertical, so a
    rolled camera is not read as a lean.
    """
    a = trunk_image_angle(lm)
    if a is not None:
        a -= roll_deg
    s = PostureSample(trunk_image_deg=a)
    if view == "side":
        sign = face_sign(facing)
        s.trunk_lean_deg = None if sign is None or a is None else sign * a
        head = head_forward(lm, facing)
        s.head_forward_deg = None if head is None or sign is None else head - sign * roll_deg
    elif view == "front":
        sign = right_sign(facing)
        s.lateral_lean_deg = None if sign is None or a is None else sign * a
        s.hip_tilt_deg = hip_tilt(lm, facing)
    return s
