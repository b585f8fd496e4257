"""How the kiosk reaches the vision side: the VisionService, and the facts its status gives."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.config.schema import BackstepConfig
from vision.loop.service import VisionService
from vision.loop.status import VisionStatus
from vision.sources.base import FrameSource
from vision.types import Event, Frame, FrameResult

logger = logging.getLogger(__name__)


class VisionLike(Protocol):
    """The part of ``vision.loop.service.VisionService`` the kiosk uses (never blocks)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def latest_frame(self) -> Frame | None: ...
    def latest_result(self) -> FrameResult | None: ...
    def drain_events(self) -> list[Event]: ...
    def status(self) -> VisionStatus: ...
    def apply_config(self, config: BackstepConfig) -> None: ...
    def set_zone(self, zone: Any) -> None: ...
    def start_baseline(self) -> None: ...
    def baseline_progress(self) -> float | None: ...
    def baseline_walking(self) -> bool: ...
    def set_baseline(self, baseline: Any) -> None: ...
    def reset_session(self) -> None: ...
    def set_incline(self, percent: float) -> None: ...
    def set_walking(self, direction: str | None, console_side: str | None = None) -> None: ...
    @property
    def is_ready(self) -> bool: ...
    @property
    def baseline(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """The status fields the kiosk shows, from the service's `VisionStatus`.

    ``model`` is the model's state ("loading", "ready", "error", "stopped"), ``model_path``
    the file it was loaded from (empty until known).
    """

    camera: str = "starting"
    source: str = ""
    model: str = ""
    model_path: str = ""
    capture_fps: float = 0.0
    pose_fps: float = 0.0
    dropped: int = 0
    last_error: str | None = None


def read_status(status: VisionStatus | None) -> StatusFacts:
    """The facts the screens show from the service's status (None before the loop starts)."""
    if status is None:
        return StatusFacts()
    return StatusFacts(
        camera=status.camera,
        source=status.source,
        model=status.model,
        model_path=str(status.model_path or ""),
        capture_fps=status.capture_fps,
        pose_fps=status.pose_fps,
        dropped=status.dropped,
        last_error=status.last_error,
    )


def cannot_coach(facts: StatusFacts) -> str:
    """ "cannot coach: <reason>" while the pose model is failing (the camera may still work).

    VisionService keeps capturing and retries a failing model with backoff, so the mirror
    still shows; this line tells staff (and the idle screen) why nobody is coached.
    """
    if facts.model != "error":
        return ""
    return f"cannot coach: {facts.last_error or 'the pose model failed'}"


def open_vision(
    config: BackstepConfig,
    source: str | None,
    source_factory: Callable[[], FrameSource] | None = None,
) -> VisionService:
    """The vision service for ``source`` ("camera", "demo", a file, None = config).

    ``source_factory`` (tests) replaces the source: the capture thread calls it to open and
    to reopen the camera. A missing or broken model does not stop the service: it keeps the
    camera running, retries the model with backoff and reports the reason in its status.
    """
    return VisionService(config, source, source_factory=source_factory)
