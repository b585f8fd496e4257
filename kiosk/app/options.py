"""How ``backstep run`` was asked to run: the options tests build directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.vision_link.link import VisionLike
from vision.sources.base import FrameSource

if TYPE_CHECKING:
    from gpiozero import Factory


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
    pin_factory: Factory | None = None
    #: (seconds after start, action) pairs run inside the loop with the `KioskApp` (tests
    #: drive mock pins here)
    script: list[tuple[float, Callable[[Any], None]]] = field(default_factory=list)
    vision: VisionLike | None = None
    #: tests only: opens the camera for the real VisionService (and reopens it after a loss)
    source_factory: Callable[[], FrameSource] | None = None
    #: config safe mode (kiosk.config.safe): the staff file's errors, shown on the staff screen
    startup_errors: list[str] = field(default_factory=list)
    #: builds the Bluetooth central of each treadmill / strap link (default: bleak over
    #: BlueZ; the tests pass bumble's virtual radio)
    central_factory: Callable[[], Any] | None = None
