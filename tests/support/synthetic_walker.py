"""A small kinematic model of backward treadmill walking that emits BlazePose-like landmarks.

The body is built in its own frame (F = the way the member faces, U = up, Lt = the member's
left), seen by an orthographic camera from the side (facing image left or right) or the front
(facing the camera or away). Because the projection is orthographic, the angles the analysis
should report are known exactly: trunk lean (sagittal), lateral lean, hip tilt and head angle
appear in the image unchanged. Feet follow a backward-walking cycle on a treadmill: the toe
lands first at the foot's rearmost point (phase 0), the belt carries the foot toward the face
during stance, then it swings back, lifted, pitching toe-down to land again.

Outputs: ``Pose`` objects with ``image`` 33 x 4 (x, y normalised to the frame, z, visibility)
and ``world`` 33 x 3 (metres, hip-centred, x right, y down, z away from the camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from vision.types import NUM_LANDMARKS, Pose

Vec = tuple[float, float, float]  # (f, u, lt) in the body frame, metres

THIGH = 0.45
SHANK = 0.45
HIP_HEIGHT = 0.9
HIP_HALF = 0.1
SHOULDER_HALF = 0.19
TORSO = 0.5
NECK = 0.2


@dataclass(frozen=True)
class WalkerParams:
    """What the synthetic member does and how the camera sees them (angles in degrees)."""

    view: str = "side"  # "side" | "front"
    facing: str = "right"  # side: "left" | "right"; front: "camera" | "away"
    frame_size: tuple[int, int] = (640, 480)
    cadence_spm: float = 100.0
    stride_m: float = 0.5  # fore-aft excursion of each foot relative to the hips
    stance: float = 0.65  # share of the stride a foot is on the belt
    asymmetry: float = 0.0  # right contact at phase 0.5 + asymmetry after the left one
    toe_first: bool = True
    walking: bool = True  # False: stands still, feet together
    trunk_lean_deg: float = 0.0  # + toward the face
    sagittal_amp_deg: float = 0.0  # sine at step frequency: per-stride range = 2 x amp
    lateral_lean_deg: float = 0.0  # + toward the member's right
    lateral_amp_deg: float = 0.0  # sine at stride frequency: per-stride range = 2 x amp
    hip_tilt_deg: float = 0.0  # + right hip higher
    head_forward_deg: float = 0.0  # neck line beyond the trunk's lean, toward the face
    center_x: float = 0.5  # hip position in the frame (normalised)
    drift_speed: float = 0.0  # m/s along F (+ = toward the face)
    phase0: float = 0.0  # stride phase at t = 0
    noise_px: float = 0.0
    # Seen from behind, the face's visibility: MediaPipe itself reports the nose and eyes as
    # visible (about 0.9+) from behind; 0.2 is the idealised "face hidden" case.
    rear_face_visibility: float = 0.2
    missing_prob: float = 0.0
    seed: int = 0

    @property
    def stride_s(self) -> float:
        """Seconds per stride (two steps)."""
        return 120.0 / self.cadence_spm


def _rot_fu(a: float, b: float, pitch_deg: float) -> tuple[float, float]:
    """Rotate an (f, u) offset toe-down by ``pitch_deg``."""
    p = math.radians(pitch_deg)
    return a * math.cos(p) + b * math.sin(p), -a * math.sin(p) + b * math.cos(p)


class SyntheticWalker:
    """Landmark sequences of a backward walker with known answers."""

    def __init__(self, params: WalkerParams | None = None, **kw: object) -> None:
        p = params or WalkerParams()
        self.p = replace(p, **kw) if kw else p  # type: ignore[arg-type]
        self._rng = np.random.default_rng(self.p.seed)
        h = self.p.frame_size[1]
        self.scale = 0.75 * h / 1.75  # pixels per metre: a 1.75 m member fills 75% of the height

    # ---- ground truth -------------------------------------------------------------------
    def contact_times(self, duration_s: float) -> list[tuple[float, str]]:
        """Every toe contact in [0, duration_s): (time, side), sorted."""
        out: list[tuple[float, str]] = []
        if not self.p.walking:
            return out
        T = self.p.stride_s
        for side, off in (("left", 0.0), ("right", 0.5 + self.p.asymmetry)):
            # phase = t / T + phase0 + off; contact at phase = integer
            k = math.ceil(self.p.phase0 + off - 1e-9)
            while True:
                t = (k - self.p.phase0 - off) * T
                if t >= duration_s:
                    break
                if t >= 0:
                    out.append((t, side))
                k += 1
        return sorted(out)

    # ---- kinematics ---------------------------------------------------------------------
    def _foot(self, phase: float) -> tuple[float, float, float]:
        """(ankle f, swing clearance, pitch deg toe-down) at a stride phase of one foot."""
        p = self.p
        s, beta = p.stride_m, p.stance
        phase %= 1.0
        p0 = 20.0 if p.toe_first else -15.0
        if phase < beta:
            f = -s / 2 + s * phase / beta
            clear = 0.0
            if phase < 0.1:
                pitch = p0 * (1 - phase / 0.1)
            elif phase > beta - 0.1:
                pitch = -15.0 * (phase - (beta - 0.1)) / 0.1
            else:
                pitch = 0.0
        else:
            x = (phase - beta) / (1 - beta)
            f = s / 2 - s * (1 - math.cos(math.pi * x)) / 2
            clear = 0.08 * math.sin(math.pi * x)
            pitch = -15.0 + (p0 + 15.0) * (1 - math.cos(math.pi * x)) / 2
        return f, clear, pitch

    def body_points(self, t: float) -> list[Vec]:
        """All 33 landmarks in the body frame (f, u, lt), metres, ground at u = 0."""
        p = self.p
        T = p.stride_s
        ph = t / T + p.phase0
        two_pi = 2 * math.pi
        sag = p.trunk_lean_deg + p.sagittal_amp_deg * math.sin(two_pi * 2 * ph)
        lat = p.lateral_lean_deg + p.lateral_amp_deg * math.sin(two_pi * ph)
        pts: list[Vec] = [(0.0, 0.0, 0.0)] * NUM_LANDMARKS
        base_f = p.drift_speed * t
        hip = (base_f, HIP_HEIGHT, 0.0)
        tau = math.radians(p.hip_tilt_deg)
        lh = (hip[0], hip[1] - HIP_HALF * math.sin(tau), HIP_HALF * math.cos(tau))
        rh = (hip[0], hip[1] + HIP_HALF * math.sin(tau), -HIP_HALF * math.cos(tau))
        pts[23], pts[24] = lh, rh
        # Trunk direction: exact tangents so each orthographic view shows the set angle.
        ts, tl = math.tan(math.radians(sag)), math.tan(math.radians(lat))
        n = math.sqrt(ts * ts + 1 + tl * tl)
        d = (ts / n, 1 / n, -tl / n)
        sh = (hip[0] + TORSO * d[0], hip[1] + TORSO * d[1], hip[2] + TORSO * d[2])
        la = math.radians(lat)
        ls = (sh[0], sh[1] + SHOULDER_HALF * math.sin(la), sh[2] + SHOULDER_HALF * math.cos(la))
        rs = (sh[0], sh[1] - SHOULDER_HALF * math.sin(la), sh[2] - SHOULDER_HALF * math.cos(la))
        pts[11], pts[12] = ls, rs
        for i, shoulder, sign in ((13, ls, 1), (14, rs, -1)):
            swing = 0.06 * math.sin(two_pi * ph) * sign if p.walking else 0.0
            el = (shoulder[0] + swing, shoulder[1] - 0.28, shoulder[2])
            wr = (el[0] + 0.08 + swing, el[1] - 0.22, shoulder[2])
            pts[i], pts[i + 2] = el, wr
            for j in (17, 19, 21):  # pinky, index, thumb
                pts[j + (0 if sign == 1 else 1)] = (wr[0] + 0.03, wr[1] - 0.06, shoulder[2])
        # Head: the neck line leans head_forward_deg beyond the trunk (sagittal plane).
        h = math.radians(sag + p.head_forward_deg)
        ear = (sh[0] + NECK * math.sin(h), sh[1] + NECK * math.cos(h), sh[2])
        fwd = (math.cos(h), -math.sin(h))
        up = (math.sin(h), math.cos(h))
        pts[7] = (ear[0], ear[1], ear[2] + 0.075)
        pts[8] = (ear[0], ear[1], ear[2] - 0.075)
        nose = (ear[0] + 0.1 * fwd[0] - 0.02 * up[0], ear[1] + 0.1 * fwd[1] - 0.02 * up[1], ear[2])
        pts[0] = nose
        for idx, lt in ((1, 0.015), (2, 0.03), (3, 0.045), (4, -0.015), (5, -0.03), (6, -0.045)):
            pts[idx] = (nose[0] - 0.02 * fwd[0] + 0.03 * up[0], nose[1] + 0.03 * up[1], lt)
        pts[9] = (nose[0] - 0.01, nose[1] - 0.04, 0.025)
        pts[10] = (nose[0] - 0.01, nose[1] - 0.04, -0.025)
        # Legs.
        for hip_pt, off, (ki, ai, hi, ti) in (
            (lh, 0.0, (25, 27, 29, 31)),
            (rh, 0.5 + p.asymmetry, (26, 28, 30, 32)),
        ):
            if p.walking:
                f, clear, pitch = self._foot(ph + off)
            else:
                f, clear, pitch = 0.0, 0.0, 0.0
            heel_rel = _rot_fu(-0.05, -0.07, pitch)
            toe_rel = _rot_fu(0.17, -0.07, pitch)
            ankle_u = max(-heel_rel[1], -toe_rel[1]) + clear
            ankle = (base_f + f, ankle_u, hip_pt[2])
            pts[ai] = ankle
            pts[hi] = (ankle[0] + heel_rel[0], ankle[1] + heel_rel[1], ankle[2])
            pts[ti] = (ankle[0] + toe_rel[0], ankle[1] + toe_rel[1], ankle[2])
            pts[ki] = self._knee(hip_pt, ankle)
        return pts

    @staticmethod
    def _knee(hip: Vec, ankle: Vec) -> Vec:
        df, du = ankle[0] - hip[0], ankle[1] - hip[1]
        d = min(math.hypot(df, du), THIGH + SHANK - 1e-6)
        a = math.acos((THIGH**2 + d * d - SHANK**2) / (2 * THIGH * d))
        base = math.atan2(du, df)
        cands = [base + a, base - a]
        k = max(cands, key=lambda c: math.cos(c))  # the knee bends toward the face
        return (hip[0] + THIGH * math.cos(k), hip[1] + THIGH * math.sin(k), hip[2])

    # ---- camera -------------------------------------------------------------------------
    def _camera(self, q: Vec) -> tuple[float, float, float]:
        """Body frame -> (image x m, up m, depth m away from the camera)."""
        f, u, lt = q
        v, facing = self.p.view, self.p.facing
        if v == "side":
            # Facing image right, the member's right side is toward the camera.
            return (f, u, lt) if facing == "right" else (-f, u, -lt)
        return (lt, u, -f) if facing == "camera" else (-lt, u, f)

    def _visibility(self, i: int, depth: float) -> float:
        p = self.p
        if p.view == "front" and p.facing == "away" and i <= 10:
            return p.rear_face_visibility if i in (0, 1, 2, 3, 4, 5, 6, 9, 10) else 0.6
        if p.view == "side" and depth > 0.02:
            return 0.8  # the far side is partly hidden
        return 0.99

    def pose_at(self, t: float) -> Pose:
        """The member's landmarks at time t."""
        p = self.p
        w, h = p.frame_size
        pts = [self._camera(q) for q in self.body_points(t)]
        hip = pts[23][0] * 0.5 + pts[24][0] * 0.5, 0.5 * (pts[23][1] + pts[24][1])
        hip_d = 0.5 * (pts[23][2] + pts[24][2])
        image = np.zeros((NUM_LANDMARKS, 4))
        world = np.zeros((NUM_LANDMARKS, 3))
        cx = p.center_x * w
        ground_y = 0.9 * h
        for i, (x, u, dep) in enumerate(pts):
            px = cx + self.scale * x
            py = ground_y - self.scale * u
            image[i] = (px / w, py / h, self.scale * (dep - hip_d) / w, self._visibility(i, dep))
            world[i] = (x - hip[0], -(u - hip[1]), dep - hip_d)
        if p.noise_px > 0:
            image[:, 0] += self._rng.normal(0, p.noise_px / w, NUM_LANDMARKS)
            image[:, 1] += self._rng.normal(0, p.noise_px / h, NUM_LANDMARKS)
            world += self._rng.normal(0, p.noise_px / self.scale, world.shape)
        if p.missing_prob > 0:
            gone = self._rng.random(NUM_LANDMARKS) < p.missing_prob
            image[gone, :3] = np.nan
            image[gone, 3] = 0.0
            world[gone] = np.nan
        return Pose(image=image, world=world)

    def sequence(self, duration_s: float, fps: float = 30.0) -> list[tuple[float, Pose]]:
        """(t, pose) for every frame in [0, duration_s)."""
        n = round(duration_s * fps)
        return [(i / fps, self.pose_at(i / fps)) for i in range(n)]


def rotate_pose(pose: Pose, deg: float, frame_size: tuple[int, int]) -> Pose:
    """The pose as a camera rolled by ``deg`` would see it: image rotated clockwise on screen
    about its centre (square pixels). World landmarks are rotated the same way."""
    w, h = frame_size
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    img = pose.image.copy()
    x = img[:, 0] * w - w / 2
    y = img[:, 1] * h - h / 2
    # Image y points down, so this matrix turns clockwise as seen on screen.
    img[:, 0] = (c * x - s * y + w / 2) / w
    img[:, 1] = (s * x + c * y + h / 2) / h
    wd = pose.world.copy()
    wx, wy = wd[:, 0].copy(), wd[:, 1].copy()
    wd[:, 0], wd[:, 1] = c * wx - s * wy, s * wx + c * wy
    return Pose(image=img, world=wd)


def mirror_pose(pose: Pose) -> Pose:
    """The pose in a mirrored image (x -> 1 - x), landmark labels unchanged."""
    img = pose.image.copy()
    img[:, 0] = 1.0 - img[:, 0]
    wd = pose.world.copy()
    wd[:, 0] = -wd[:, 0]
    return Pose(image=img, world=wd)
