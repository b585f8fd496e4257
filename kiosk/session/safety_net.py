"""The absolute safety net: which lean is past its limit, whatever the member's baseline."""

from __future__ import annotations

from vision.metrics.settings import PostureConfig

#: Degrees back inside a safety-net limit before its urgent cue ends (no flicker at the edge).
NET_HYSTERESIS_DEG = 2.0


def net_fault(lean_deg: float, posture: PostureConfig, current: str | None) -> str | None:
    """ "leaning_forward" / "leaning_back" past an absolute limit (``lean_deg`` already less
    the deck's incline), else None; ``current`` (the fault past its limit until now) ends
    only ``NET_HYSTERESIS_DEG`` inside its limit."""
    h = NET_HYSTERESIS_DEG if current is not None else 0.0
    if lean_deg >= posture.absolute_forward_limit_deg - (h if current == "leaning_forward" else 0):
        return "leaning_forward"
    if -lean_deg >= posture.absolute_back_limit_deg - (h if current == "leaning_back" else 0):
        return "leaning_back"
    return None
