"""Reconfiguring a running pipeline: a reloaded config's analysis, a member's baseline."""

from __future__ import annotations

import logging

from vision.loop.config import VisionConfig
from vision.loop.pipeline import FramePipeline, build_analyzer
from vision.metrics.baseline import Baseline
from vision.pose.smoothing import LandmarkSmoother

logger = logging.getLogger(__name__)


def rebuild_analysis(
    pipeline: FramePipeline, config: VisionConfig, baseline: Baseline | None, incline: float
) -> None:
    """Swap in an analyzer and smoother built from ``config`` (the inference thread only)."""

    analyzer = build_analyzer(config)
    pipeline.analyzer = analyzer
    pipeline.smoother = LandmarkSmoother(config.smoothing)
    pipeline.set_zone(config.zone)
    set_analyzer_baseline(pipeline, baseline)
    set_incline = getattr(analyzer, "set_incline", None)
    if callable(set_incline) and incline:
        set_incline(incline)
    p = config.posture
    logger.info(
        "vision config applied: view %s, forward_warn_deg %g, back_warn_deg %g, "
        "lateral_warn_deg %g, smoothing %s",
        config.camera.view,
        p.forward_warn_deg,
        p.back_warn_deg,
        p.lateral_warn_deg,
        "on" if config.smoothing.enabled else "off",
    )


def set_analyzer_baseline(pipeline: FramePipeline, baseline: Baseline | None) -> None:
    """Judge posture against ``baseline`` from the next frame (None: the safety limits)."""
    set_baseline = getattr(pipeline.analyzer, "set_baseline", None)
    if callable(set_baseline):
        set_baseline(baseline)
