"""How the kiosk reaches the vision side: the real VisionService, or frames only as a fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.settings import BackstepConfig
from vision.sources import FrameSource
from vision.types import Event, Frame, FrameResult

logger = logging.getLogger(__name__)


class VisionLike(Protocol):
    """The part of ``vision.service.VisionService`` the kiosk uses (never blocks)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def latest_frame(self) -> Frame | None: ...
    def latest_result(self) -> FrameResult | None: ...
    def drain_events(self) -> list[Event]: ...
    def status(self) -> Any: ...
    def set_zone(self, zone: Any) -> None: ...
    def start_baseline(self) -> None: ...
    def baseline_progress(self) -> float | None: ...
    def set_baseline(self, baseline: Any) -> None: ...
    def reset_session(self) -> None: ...
    def set_incline(self, percent: float) -> None: ...


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """The status fields the kiosk shows, read from whatever status object the service gives.

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


def read_status(status: Any) -> StatusFacts:
    """Normalise a VisionStatus / CaptureStatus-like object (attribute names may differ)."""
    if status is None:
        return StatusFacts()

    def get(*names: str, default: Any = None) -> Any:
        for name in names:
            value = getattr(status, name, None)
            if value is None and isinstance(status, dict):
                value = status.get(name)
            if value is not None:
                return value
        return default

    capture = get("capture")
    camera = get("camera", "state", default=None)
    if camera is None and capture is not None:
        camera = getattr(capture, "state", None)
    if not isinstance(camera, str):
        camera = getattr(camera, "state", "starting") if camera is not None else "starting"
    dropped = get("dropped_frames", "dropped", default=None)
    if dropped is None and capture is not None:
        dropped = getattr(capture, "dropped", 0)
    return StatusFacts(
        camera=str(camera),
        source=str(get("source_name", "source", default="") or ""),
        model=str(get("model_state", "model", default="") or ""),
        model_path=str(get("model_path", default="") or ""),
        capture_fps=float(get("capture_fps", "fps", default=0.0) or 0.0),
        pose_fps=float(get("pose_fps", "inference_fps", default=0.0) or 0.0),
        dropped=int(dropped or 0),
        last_error=get("last_error", "error", default=None),
    )


def is_vision_ready(vision: Any) -> bool:
    """True when camera and model are up (``is_ready`` is a property on VisionService)."""
    ready = getattr(vision, "is_ready", False)
    return bool(ready() if callable(ready) else ready)


class FramesOnlyVision:
    """Camera frames without pose: used when the vision service cannot start.

    The kiosk then still shows the mirror and the staff screen (with the reason), but cannot
    coach; this is a degraded mode, never what a working station runs.
    """

    def __init__(
        self, config: BackstepConfig, source: str | None, reason: str, capture: Any = None
    ) -> None:
        from vision.capture import CaptureThread

        self.reason = reason
        self._capture = capture or CaptureThread.from_config(config.camera, source)

    def start(self) -> None:
        """Start capturing."""
        self._capture.start()

    def stop(self) -> None:
        """Stop capturing (idempotent)."""
        self._capture.stop()

    def latest_frame(self) -> Frame | None:
        """The newest frame."""
        return self._capture.latest()

    def latest_result(self) -> FrameResult | None:
        """Always None: there is no pose model."""
        return None

    def drain_events(self) -> list[Event]:
        """No events without pose."""
        return []

    def status(self) -> Any:
        """The capture status, with the reason as the last error."""
        st = self._capture.status
        st = st() if callable(st) else st
        return {
            "camera": st.state,
            "source_name": st.source_name,
            "capture_fps": st.fps,
            "dropped": st.dropped,
            "model": "error",
            "last_error": self.reason,
        }

    def set_zone(self, zone: Any) -> None:
        """Nothing to apply the zone to."""

    def start_baseline(self) -> None:
        """No baseline without pose."""

    def baseline_progress(self) -> float | None:
        """Never progresses."""
        return 0.0

    def set_baseline(self, baseline: Any) -> None:
        """Ignored."""

    @property
    def baseline(self) -> Any:
        """Never a baseline without pose."""
        return None

    def reset_session(self) -> None:
        """Nothing to reset."""

    def set_incline(self, percent: float) -> None:
        """Nothing to apply the incline to."""

    @property
    def is_ready(self) -> bool:
        """Never ready to coach."""
        return False


def open_vision(
    config: BackstepConfig,
    source: str | None,
    source_factory: Callable[[], FrameSource] | None = None,
) -> VisionLike:
    """The real vision service for ``source`` ("camera", "demo", a file, None = config).

    ``source_factory`` (tests) replaces the source: the capture thread calls it to open and
    to reopen the camera.
    """
    try:
        from vision.service import VisionService
    except ImportError as exc:
        logger.error("vision service unavailable (%s); frames only", exc)
        return FramesOnlyVision(config, source, f"vision service unavailable: {exc}")
    try:
        return VisionService(  # type: ignore[no-any-return,unused-ignore]
            config, source, source_factory=source_factory
        )
    except Exception as exc:
        logger.exception("vision service failed to start; frames only")
        return FramesOnlyVision(config, source, f"pose unavailable: {exc}")
