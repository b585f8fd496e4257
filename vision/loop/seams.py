"""Seams in the picture: where a looping clip starts over, nothing is measured across the jump."""

from __future__ import annotations

import logging
from typing import Any

from vision.types import Frame

logger = logging.getLogger(__name__)


class SeamDetector:
    """Tells the frames right after the scene jumped.

    The source marks them (`Frame.discontinuity`); a file position going back catches one
    whose marked frame was dropped on the way (a busy worker, the capture thread keeping
    only the newest frame). Frames must come in order (`FramePipeline.finish`).
    """

    def __init__(self) -> None:
        self._last_media_t: float | None = None

    def is_seam(self, frame: Frame) -> bool:
        """True when ``frame`` is the first after a jump."""
        last, self._last_media_t = self._last_media_t, frame.media_t
        went_back = last is not None and frame.media_t is not None and frame.media_t < last
        return frame.discontinuity or went_back


def restart_motion(t: float, selector: Any, legs: Any, smoother: Any, analyzer: Any) -> None:
    """The scene jumped at ``t``: forget where the member was and how they moved.

    Position, the legs' labels and the filters assume the member moved a little since the
    last frame; across a looping clip's seam they jump back to the first frame's pose, which
    the gait tracker read as a foot contact and a short step (a 112.5 steps/min walker read
    116-128 and was cued for cadence). The session (steps, faults, baseline) is kept.
    """
    selector.reset()
    legs.reset()
    if smoother is not None:
        smoother.reset()
    mark = getattr(analyzer, "mark_discontinuity", None)
    if callable(mark):
        mark(t)
    logger.debug("scene discontinuity at %.2f s: motion tracking restarted", t)
