"""What the vision service reports about itself: camera, model and speed, in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ModelState = Literal["loading", "ready", "error", "stopped"]


@dataclass(frozen=True, slots=True)
class VisionStatus:
    """A snapshot for the status screen and the systemd status line.

    ``camera`` is the capture state ("starting", "ok", "lost", "ended"); ``model`` the
    model's ("loading", "ready", "error", "stopped"). ``dropped`` counts frames the capture
    thread replaced before anyone took them; ``skipped`` frames the pose thread never
    analysed (it was busy with an older one): latest-only by design, not a fault.
    """

    camera: str
    source: str
    capture_fps: float
    pose_fps: float
    dropped: int
    skipped: int
    frames_processed: int
    model: ModelState
    model_path: Path | None
    last_error: str | None
    infer_ms_p50: float | None
    is_ready: bool
