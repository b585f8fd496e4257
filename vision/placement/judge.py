"""Pass, warn or fail for each placement line, each with the fix staff can make."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vision import types as L
from vision.placement import image_quality as iq
from vision.placement.roll import RollEstimate
from vision.settings import ZoneConfig

Verdict = Literal["pass", "warn", "fail"]

#: Free picture kept around the body, a share of the frame on each side.
FRAME_MARGIN = 0.02
#: Share of the member's frames that must show head to toe inside that margin.
WHOLE_BODY_SHARE = 0.95
#: The camera is level when its roll is within this many degrees (a 2° roll reads as a 2° lean).
ROLL_LIMIT_DEG = 2.0
#: Straight edges that disagree by more than this (interquartile range) are perspective, not
#: level lines: the roll is then not known from the picture.
ROLL_SPREAD_LIMIT_DEG = 1.5
#: Pose frames per second. The gait analysis was checked down to 6 fps (README, "Coaching
#: accuracy": one step in seven missed there, cadence held); below it steps go uncounted.
POSE_FPS_FAIL = 6.0
POSE_FPS_WARN = 8.0
#: Shoulder width over torso length: at most this is a side view, at least FRONT_RATIO a
#: front or rear one (the analyzer's `camera.view = "auto"` thresholds).
SIDE_RATIO = 0.3
FRONT_RATIO = 0.45
#: Walking seen before a zone is suggested from it (the issue's 20 s: several belt cycles).
ZONE_SECONDS = 20.0
#: Side-view walking seen, and the share of it facing one way, before the console's side is
#: read from it: two seconds hold about four steps; a walker turning to look is the rest.
CONSOLE_SECONDS = 2.0
CONSOLE_SHARE = 0.8
#: Room added around where the body went when a zone is suggested (share of the frame).
ZONE_PAD = 0.05

_HEAD = list(range(0, 11))
_FEET = [
    L.LEFT_ANKLE,
    L.RIGHT_ANKLE,
    L.LEFT_HEEL,
    L.RIGHT_HEEL,
    L.LEFT_FOOT_INDEX,
    L.RIGHT_FOOT_INDEX,
]


@dataclass(frozen=True, slots=True)
class PlacementLine:
    """One line of the check: its name, verdict, what was measured and, unless it passed, a fix."""

    name: str
    verdict: Verdict
    measured: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class MemberFrame:
    """What the check keeps of one frame with a member: raw landmarks and the view seen."""

    t: float
    landmarks: np.ndarray
    #: shoulder width over torso length (`vision.metrics.camera_view.width_ratio`)
    width_ratio: float | None
    #: the image side the member faces ("left"/"right" in a side view), else None
    facing: str | None = None


@dataclass(frozen=True, slots=True)
class PictureSample:
    """A picture kept in memory for the light, sharpness and roll lines (never written out)."""

    image: np.ndarray
    member_box: tuple[float, float, float, float] | None


@dataclass
class PlacementReport:
    """Every line of the check, and the treadmill zone suggested from where the member walked."""

    lines: list[PlacementLine] = field(default_factory=list)
    zone: ZoneConfig | None = None
    seconds: float = 0.0
    #: the image side the treadmill's console is on, read from the walk (None: not known)
    console_side: str | None = None

    @property
    def passed(self) -> bool:
        """True when no line failed (warnings allowed)."""
        return all(line.verdict != "fail" for line in self.lines)

    def summary(self) -> dict[str, str]:
        """Line name -> verdict, what a session record keeps of the check in force."""
        return {line.name: line.verdict for line in self.lines}


def _body_extent(lm: np.ndarray) -> tuple[float, float, float, float]:
    """Normalised (left, top, right, bottom) of the whole body, the top of the head included.

    The model has no landmark on the crown: it sits about as far above the nose as the
    shoulders are below it (adult proportions), so the nose-to-shoulder drop is added above.
    """
    xy = lm[:, :2]
    nose_y = xy[L.NOSE, 1]
    shoulders_y = (xy[L.LEFT_SHOULDER, 1] + xy[L.RIGHT_SHOULDER, 1]) / 2
    crown = min(float(xy[_HEAD, 1].min()), float(nose_y - max(0.0, shoulders_y - nose_y)))
    feet = float(xy[_FEET, 1].max())
    return float(xy[:, 0].min()), crown, float(xy[:, 0].max()), feet


def judge_framing(members: list[MemberFrame], frames: int) -> PlacementLine:
    """Head to toe inside the picture, with margin, on nearly every frame of the walk.

    A member cut off by the frame is often not found at all, so the frames without one count
    against the line too; the side the body was cut at most names the fix.
    """
    seen = len(members) / frames if frames else 0.0
    if not members:
        return PlacementLine(
            "whole body",
            "fail",
            "no member was seen",
            "Walk on the belt during the check, inside the treadmill zone, in good light.",
        )
    cut: Counter[str] = Counter()
    whole = 0
    lo, hi = FRAME_MARGIN, 1.0 - FRAME_MARGIN
    for m in members:
        left, top, right, bottom = _body_extent(m.landmarks)
        sides = [
            name
            for name, out in (
                ("top", top < lo),
                ("bottom", bottom > hi),
                ("left", left < lo),
                ("right", right > hi),
            )
            if out
        ]
        cut.update(sides)
        whole += not sides
    share = whole / frames
    measured = f"head to toe in the picture on {100 * share:.0f}% of frames"
    if seen < 1.0:
        measured += f" (a member found on {100 * seen:.0f}%)"
    if share >= WHOLE_BODY_SHARE:
        return PlacementLine("whole body", "pass", measured)
    if not cut:
        return PlacementLine(
            "whole body",
            "fail",
            measured,
            "Walk on the belt during the check, inside the treadmill zone, in good light.",
        )
    side = cut.most_common(1)[0][0]
    fix = {
        "top": "The head leaves the picture at the top: raise the camera or move it back.",
        "bottom": "The feet leave the picture at the bottom: lower the camera or move it back.",
        "left": "The member leaves the picture at the left: move the camera back or along.",
        "right": "The member leaves the picture at the right: move the camera back or along.",
    }[side]
    return PlacementLine("whole body", "fail", measured + f"; cut at the {side} most", fix)


def judge_view(members: list[MemberFrame], expected: str) -> PlacementLine:
    """The view the camera has over the whole walk against the one the config says.

    The median shoulder-width ratio of the walk, against the analyzer's own thresholds: a
    side view's shoulders overlap (about 0.1-0.2 of the torso length), a front view's are
    about 0.7 apart. A median, not the analyzer's running view, so one odd stretch at the
    start (an arm swing, a lean) does not decide it.
    """
    ratios = [m.width_ratio for m in members if m.width_ratio is not None]
    if not ratios:
        return PlacementLine(
            "view", "warn", "not judged: no member seen", "Walk on the belt during the check."
        )
    ratio = float(np.median(ratios))
    if SIDE_RATIO < ratio < FRONT_RATIO:
        return PlacementLine(
            "view",
            "warn",
            f"half-turned: shoulders {ratio:.2f} of the torso apart",
            "Put the camera square to the belt: to the side (or straight behind).",
        )
    view = "side" if ratio <= SIDE_RATIO else "front"
    measured = f"seen from the {view} (shoulders {ratio:.2f} of the torso apart)"
    if expected == "auto" or view == expected:
        return PlacementLine("view", "pass", measured + f" (config: {expected})")
    if expected == "side":
        fix = "Put the camera to the member's side at hip height, or set camera.view = 'front'."
    else:
        fix = "Put the camera in front of or behind the belt, or set camera.view = 'side'."
    return PlacementLine("view", "fail", measured + f"; config says {expected}", fix)


def judge_roll(estimates: list[RollEstimate]) -> PlacementLine:
    """The camera is level within ±2°, from the straight edges of the room or the treadmill."""
    known = [
        e
        for e in estimates
        if e.roll_deg is not None and e.lines >= 2 and e.spread_deg <= ROLL_SPREAD_LIMIT_DEG
    ]
    if len(known) < max(1, len(estimates) // 3):
        return PlacementLine(
            "level",
            "warn",
            "not known: the picture has too few level or upright edges that agree",
            "Check the camera with a spirit level, or show it a door frame or a rail.",
        )
    roll = float(np.median([e.roll_deg for e in known if e.roll_deg is not None]))
    way = "clockwise" if roll > 0 else "counter-clockwise"
    measured = f"rolled {abs(roll):.1f}° {way} (from straight edges in the room)"
    if abs(roll) < 0.05:
        measured = "level (from straight edges in the room)"
    if abs(roll) <= ROLL_LIMIT_DEG:
        return PlacementLine("level", "pass", measured)
    turn = "counter-clockwise" if roll > 0 else "clockwise"
    return PlacementLine(
        "level",
        "fail",
        measured,
        f"Turn the camera {abs(roll):.0f}° {turn} (as you face the picture) until level.",
    )


def judge_light(samples: list[PictureSample]) -> PlacementLine:
    """Mean brightness inside the range where the pose model held on the fixture clips."""
    luma = float(np.median([iq.mean_luma(s.image) for s in samples])) if samples else 0.0
    measured = f"brightness {luma:.0f} of 255"
    if luma < iq.DARK_FAIL:
        return PlacementLine(
            "light",
            "fail",
            measured + " (too dark)",
            "Light the treadmill: add a lamp on the camera's side.",
        )
    if luma > iq.BRIGHT_FAIL:
        return PlacementLine(
            "light",
            "fail",
            measured + " (washed out)",
            "Keep windows and lamps out of the picture, or dim them.",
        )
    if luma < iq.DARK_WARN:
        return PlacementLine(
            "light", "warn", measured + " (dim)", "More light on the treadmill would help."
        )
    if luma > iq.BRIGHT_WARN:
        return PlacementLine(
            "light", "warn", measured + " (bright)", "Shade a window or lamp in the picture."
        )
    return PlacementLine("light", "pass", measured)


def judge_sharpness(samples: list[PictureSample]) -> PlacementLine:
    """The blur measure below where the pose model's landmarks began to drift on the fixtures."""
    blur = float(np.median([iq.blur_effect(s.image) for s in samples])) if samples else 1.0
    measured = f"blur {blur:.2f} (0 sharp .. 1 blurred)"
    if blur >= iq.BLUR_FAIL:
        return PlacementLine(
            "sharpness",
            "fail",
            measured,
            "Focus the lens and clean it; add light so the shutter is shorter.",
        )
    if blur >= iq.BLUR_WARN:
        return PlacementLine("sharpness", "warn", measured, "Check the focus and clean the lens.")
    return PlacementLine("sharpness", "pass", measured)


def judge_pose_rate(fps: float) -> PlacementLine:
    """Pose frames per second reached, against the lowest rate the gait analysis was checked at."""
    measured = f"{fps:.1f} pose frames/s"
    if fps < POSE_FPS_FAIL:
        return PlacementLine(
            "pose rate",
            "fail",
            measured,
            "Set model.backend = 'litert' or model.variant = 'lite'; close other programs.",
        )
    if fps < POSE_FPS_WARN:
        return PlacementLine(
            "pose rate", "warn", measured, "Steps may be missed: consider model.backend = 'litert'."
        )
    return PlacementLine("pose rate", "pass", measured)


def suggest_zone(members: list[MemberFrame]) -> ZoneConfig | None:
    """The treadmill zone from where the body went while walking, with room around it."""
    if not members:
        return None
    extents = np.array([_body_extent(m.landmarks) for m in members])
    x0 = max(0.0, float(np.min(extents[:, 0])) - ZONE_PAD)
    x1 = min(1.0, float(np.max(extents[:, 2])) + ZONE_PAD)
    y0 = max(0.0, float(np.min(extents[:, 1])) - ZONE_PAD)
    y1 = 1.0  # the belt is at the bottom: the zone never cuts the feet off
    if x1 - x0 < 0.05 or y1 - y0 < 0.05:
        return None
    return ZoneConfig(x0=round(x0, 3), y0=round(y0, 3), x1=round(x1, 3), y1=y1)


def judge_zone(members: list[MemberFrame], zone: ZoneConfig | None) -> PlacementLine:
    """Whether enough walking was seen for the suggested zone to be trusted."""
    seconds = members[-1].t - members[0].t if len(members) > 1 else 0.0
    if zone is None:
        return PlacementLine(
            "zone",
            "warn",
            "no zone suggested: no member seen",
            "Walk on the belt during the check.",
        )
    measured = (
        f"x {zone.x0:.2f}-{zone.x1:.2f}, y {zone.y0:.2f}-{zone.y1:.2f} "
        f"from {seconds:.0f} s of walking"
    )
    if seconds < ZONE_SECONDS:
        return PlacementLine(
            "zone",
            "warn",
            measured,
            f"Walk for {ZONE_SECONDS:.0f} s over the whole belt before saving the zone.",
        )
    return PlacementLine("zone", "pass", measured)


def find_console_side(members: list[MemberFrame]) -> tuple[str | None, float, float]:
    """The console's image side from a backward walk: (side or None, share, seconds).

    The check is walked as a member walks, backwards: facing the rear of the treadmill, so
    the console is on the image side the walker's back is to. None unless
    `CONSOLE_SECONDS` of side-view walking was seen and `CONSOLE_SHARE` of it faced one way.
    """
    sided = [m for m in members if m.facing in ("left", "right")]
    seconds = sided[-1].t - sided[0].t if len(sided) > 1 else 0.0
    if not sided:
        return None, 0.0, 0.0
    facing, count = Counter(m.facing for m in sided).most_common(1)[0]
    share = count / len(sided)
    if seconds < CONSOLE_SECONDS or share < CONSOLE_SHARE:
        return None, share, seconds
    return ("left" if facing == "right" else "right"), share, seconds


def judge_console(members: list[MemberFrame], configured: str) -> PlacementLine:
    """Where the console is, read from the walk, against ``safety.console_side``.

    A station that knows its console side tells a member walking the wrong way from the
    first block; "auto" must take the first block's facing on trust (coaching.md).
    """
    side, share, seconds = find_console_side(members)
    if side is None:
        if seconds < CONSOLE_SECONDS:
            return PlacementLine(
                "console",
                "warn",
                f"not read: {seconds:.1f} s of side-view walking seen",
                "Walk backwards on the belt during the check, as a member does.",
            )
        return PlacementLine(
            "console",
            "warn",
            f"not read: the walker faced one way only {share:.0%} of the time",
            "Walk backwards on the belt, facing its rear, for the whole check.",
        )
    measured = f"on the picture's {side} (walking backwards, faced away from it {share:.0%})"
    if configured == side:
        return PlacementLine("console", "pass", measured + f" (config: {configured})")
    if configured == "auto":
        return PlacementLine(
            "console",
            "warn",
            measured + " (config: auto)",
            f"Save it (safety.console_side = '{side}'): with 'auto' a member walking the "
            "first block the wrong way cannot be told.",
        )
    return PlacementLine(
        "console",
        "fail",
        measured + f"; config says {configured}",
        f"Set safety.console_side = '{side}' (or save it with the zone).",
    )
