"""The lean gauge's reading: which lean, from where, against which limits, which way it tilts."""

from __future__ import annotations

from typing import Any

from vision.metrics.settings import PostureConfig
from vision.types import FrameMetrics


def lean_reading(
    metrics: FrameMetrics, posture: PostureConfig
) -> tuple[str, float | None, float, float]:
    """What the lean gauge shows: (label, degrees from the centre, limit +, limit -).

    A side view sees the sagittal trunk lean (forward/back); a front view cannot, but it
    sees the sideways lean, so the gauge shows that instead of an empty "— —". The gauge is
    centred on the member's baseline and shows the limits in force, exactly as the analyzer
    judged them (`FrameMetrics.gauge_lean_deg`), so needle, word and colour agree. Before the
    first measurement it shows the configured relative limits.
    """
    plus, minus = metrics.gauge_limit_plus_deg, metrics.gauge_limit_minus_deg
    if metrics.view == "front":
        if plus <= 0 or minus <= 0:
            plus = minus = posture.lateral_warn_deg
        return "Side lean", number(metrics.gauge_lean_deg), plus, minus
    if plus <= 0 or minus <= 0:
        plus, minus = posture.forward_warn_deg, posture.back_warn_deg
    return "Trunk lean", number(metrics.gauge_lean_deg), plus, minus


def gauge_points_right(metrics: FrameMetrics, mirror: bool) -> bool:
    """True when a positive lean should tilt the needle to the right on screen.

    The needle tilts the way the body tilts in the picture the member sees. Side view: +
    is toward the face, which is image-right when the member faces right in the camera's
    frame; front view: + is toward the member's own right, which is image-left when they
    face the camera and image-right when the camera is behind them. A mirrored display
    swaps both.
    """
    right = metrics.facing == "away" if metrics.view == "front" else metrics.facing != "left"
    return right != mirror


def number(value: Any) -> float | None:
    """A number as float; None for anything else (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
