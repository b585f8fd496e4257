"""Which way the member walks compared with the block: the console's side and the wrong way."""

from __future__ import annotations

import logging
from collections import Counter

from kiosk.session.cue_catalog import Direction
from vision.types import FrameMetrics

logger = logging.getLogger(__name__)

#: Facing the other way than the block asks this long (s, after settling) is the wrong way.
WRONG_WAY_S = 3.0
#: Side-view frames of settled walking in the first block that teach the console's side.
LEARN_FRAMES = 30

_OTHER = {"left": "right", "right": "left"}


def expected_facing(direction: Direction, console_side: str) -> str:
    """The image side a member walking ``direction`` faces when the console is on ``console_side``.

    Forward: they face the console; backward: they face the rear end, away from it.
    """
    return console_side if direction == "forward" else _OTHER[console_side]


class FacingWatch:
    """Learns where the console is (side view) and notices a member walking the wrong way.

    ``console_side`` "left"/"right" is the staff setting; "auto" learns it from the first
    walking block, taking the member to face as that block asks (``LEARN_FRAMES`` side-view
    frames after the block settled). :meth:`update` returns True once per block, when the
    member has faced the other way than the block asks for ``WRONG_WAY_S``.
    """

    def __init__(self, console_side: str = "auto") -> None:
        self.console_side: str | None = console_side if console_side in _OTHER else None
        self._learn: Counter[str] = Counter()
        self._wrong_since: float | None = None
        self._told = False

    def new_block(self) -> None:
        """A block starts: a wrong way may be told again."""
        self._wrong_since = None
        self._told = False

    def update(self, now: float, metrics: FrameMetrics, direction: Direction | None) -> bool:
        """Feed one settled tick; True when the member should be told they walk the wrong way."""
        facing = metrics.facing if metrics.view == "side" else None
        if direction is None or facing not in _OTHER:
            self._wrong_since = None
            return False
        assert facing is not None
        if self.console_side is None:
            # the member faces as the first block asks: forward faces the console
            self._learn[facing if direction == "forward" else _OTHER[facing]] += 1
            side, n = self._learn.most_common(1)[0]
            if n >= LEARN_FRAMES:
                self.console_side = side
                logger.info("the console is on the image %s (learned from the facing)", side)
            return False
        if facing == expected_facing(direction, self.console_side):
            self._wrong_since = None
            return False
        if self._wrong_since is None:
            self._wrong_since = now
        if not self._told and now - self._wrong_since >= WRONG_WAY_S:
            self._told = True
            return True
        return False
