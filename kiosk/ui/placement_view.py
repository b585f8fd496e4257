"""What the staff screen's placement check draws: its stage, progress, lines and zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vision.placement.judge import PlacementLine

PlacementStage = Literal["collecting", "judging", "report"]


@dataclass(frozen=True, slots=True)
class PlacementView:
    """The placement check for one frame (plain data, assembled by the app)."""

    stage: PlacementStage
    #: 0..1 of the walking the check watches before it judges
    progress: float = 0.0
    seconds: float = 20.0
    lines: tuple[PlacementLine, ...] = field(default_factory=tuple)
    #: the suggested treadmill zone (x0, y0, x1, y1), None when none could be suggested
    zone: tuple[float, float, float, float] | None = None
    #: the check's own failure (judging raised, the verdicts could not be kept)
    error: str = ""
