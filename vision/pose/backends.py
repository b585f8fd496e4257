"""Which library runs the pose model: ``model.backend`` turned into estimators."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vision.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from vision.settings import ModelConfig

#: Every backend, in the order ``bench`` measures them.
BACKENDS = ("mediapipe", "litert")


def installed_backends() -> tuple[str, ...]:
    """The backends whose library can be imported here (MediaPipe is a dependency)."""
    return tuple(
        name
        for name in BACKENDS
        if importlib.util.find_spec("ai_edge_litert" if name == "litert" else name) is not None
    )


def create_estimator(
    model_path: Path | str, cfg: ModelConfig, backend: str | None = None, workers: int = 1
) -> PoseEstimator:
    """One estimator on ``backend`` (default ``cfg.backend``); ``workers`` is how many run at
    once (it sets LiteRT's thread count when ``litert_threads = "auto"``).

    Loads the model; raises `vision.errors.ModelError` (also when LiteRT is not installed).
    """
    backend = backend or cfg.backend
    if backend == "mediapipe":
        return MediaPipePoseEstimator(model_path, cfg)
    if backend == "litert":
        # Imported here: OpenCV and LiteRT load only when this backend is chosen.
        from vision.pose.litert import LiteRTPoseEstimator

        return LiteRTPoseEstimator(model_path, cfg, threads=cfg.threads(workers))
    raise ValueError(f"unknown pose backend {backend!r}; expected one of {', '.join(BACKENDS)}")
