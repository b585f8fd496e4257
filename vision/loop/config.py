"""What the vision loop reads from the staff configuration: its own type, not the kiosk's."""

from __future__ import annotations

from typing import Protocol

from vision.metrics.core_score import CoreConfig
from vision.metrics.settings import GaitConfig, PostureConfig, SafetyConfig
from vision.settings import (
    CameraConfig,
    InferenceConfig,
    ModelConfig,
    SmoothingConfig,
    ZoneConfig,
)


class VisionConfig(Protocol):
    """The sections the capture, pipeline and analysis read (the kiosk's config has them all).

    A protocol, so that ``vision`` never imports the kiosk: any object with these sections
    serves, the kiosk's `BackstepConfig` among them.
    """

    @property
    def camera(self) -> CameraConfig:
        """Which camera and how it is mounted."""
        ...

    @property
    def zone(self) -> ZoneConfig:
        """Where the treadmill is in the frame."""
        ...

    @property
    def model(self) -> ModelConfig:
        """The pose model."""
        ...

    @property
    def vision(self) -> InferenceConfig:
        """How many pose workers run at once."""
        ...

    @property
    def smoothing(self) -> SmoothingConfig:
        """Landmark smoothing."""
        ...

    @property
    def posture(self) -> PostureConfig:
        """Posture limits."""
        ...

    @property
    def gait(self) -> GaitConfig:
        """Gait limits."""
        ...

    @property
    def core(self) -> CoreConfig:
        """Core-score weights."""
        ...

    @property
    def safety(self) -> SafetyConfig:
        """Safety thresholds."""
        ...
