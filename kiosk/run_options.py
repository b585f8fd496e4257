"""How ``backstep run`` was asked to run; tests build these directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.vision_link import VisionLike
from vision.sources import FrameSource

if TYPE_CHECKING:
    from kiosk.app import KioskApp


@dataclass
class RunOptions:
    """How ``backstep run`` was asked to run (tests build these directly)."""

    config_path: Path | None = None
    source: str | None = None
    headless: bool = False
    seconds: float | None = None
    screenshots: Path | None = None
    presses: str | None = None
    size: tuple[int, int] | None = None
    pin_factory: Any = None
    #: (seconds after start, action) pairs run inside the loop (tests drive mock pins here)
    script: list[tuple[float, Callable[[KioskApp], None]]] = field(default_factory=list)
    vision: VisionLike | None = None
    #: tests only: opens the camera for the real VisionService (and reopens it after a loss)
    source_factory: Callable[[], FrameSource] | None = None
