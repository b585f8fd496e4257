"""A safety stop that tells the truth: what happened, which way to step, and when all is well."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.flow.types import VisionSnapshot

logger = logging.getLogger(__name__)

#: The member must be back inside the limits this long before "back in place" (s, eng.).
RESUME_HOLD_S = 1.5
#: Drift must be this far (share of the zone) inside ``safety.drift_back_limit`` (eng.).
DRIFT_MARGIN = 0.1
#: Posture states that mean the trunk is not yet back inside its limits.
_LEANING = frozenset({"leaning_forward", "leaning_back", "leaning_side"})


@dataclass(frozen=True, slots=True)
class SafetyWords:
    """What the safety screen says under "Hold the rails": what happened, what to do next."""

    happened: str
    todo: tuple[str, ...]


def safety_words(reason: str, direction: str | None) -> SafetyWords:
    """The words for a safety stop of ``reason`` in a block walked ``direction``.

    Directions are in the member's own frame: walking backward they face the rear end and the
    console is behind them; walking forward they face the console.
    """
    forward = direction == "forward"
    if reason == "drift_back":
        step = "Walk up toward the console" if forward else "Step back toward the console"
        return SafetyWords("You reached the end of the belt", ("Slow the belt", step))
    if reason == "fall":
        return SafetyWords(
            "You may have lost your balance",
            ("Stop the belt", "Stand tall in the middle of the belt"),
        )
    if reason == "member_lost":
        return SafetyWords("We can't see you", ("Come back to the middle of the belt",))
    return SafetyWords("Safety stop", ("Stop the belt", "Stand in the middle of the belt"))


class SafetyResume:
    """Follows a member after a safety stop until they are back inside the limits.

    "Back in place" needs the whole body in the zone and, for the reason of the stop, the
    feet back ``DRIFT_MARGIN`` inside the belt-end limit or the trunk out of every lean state,
    held for ``RESUME_HOLD_S`` without a break (hysteresis: one good frame is not enough).
    """

    def __init__(self, drift_back_limit: float = 0.85) -> None:
        self.drift_back_limit = drift_back_limit
        self.reason = ""
        self.direction: str | None = None
        self._ok_since: float | None = None
        self._now = 0.0

    def start(self, reason: str, direction: str | None, now: float) -> None:
        """A safety stop for ``reason`` began at ``now`` in a block walked ``direction``."""
        self.reason, self.direction = reason, direction
        self._ok_since, self._now = None, now

    @property
    def words(self) -> SafetyWords:
        """What the screen says for this stop."""
        return safety_words(self.reason, self.direction)

    def inside(self, snap: VisionSnapshot) -> bool:
        """True when this frame shows the member inside the limits the stop was about."""
        if not snap.is_ready_to_start:
            return False
        if self.reason == "drift_back":
            return snap.drift is not None and snap.drift <= self.drift_back_limit - DRIFT_MARGIN
        if self.reason == "fall":
            return snap.posture is not None and snap.posture not in _LEANING
        return True

    def update(self, snap: VisionSnapshot, now: float) -> None:
        """Feed the latest vision snapshot."""
        self._now = now
        if self.inside(snap):
            if self._ok_since is None:
                self._ok_since = now
        else:
            self._ok_since = None

    @property
    def is_back_in_place(self) -> bool:
        """True once the member has been inside the limits for ``RESUME_HOLD_S``."""
        return self._ok_since is not None and self._now - self._ok_since >= RESUME_HOLD_S
