"""BlazePose on LiteRT (``ai-edge-litert``) behind the `PoseEstimator` protocol."""

from vision.pose.litert.estimator import LiteRTPoseEstimator, litert_installed

__all__ = ["LiteRTPoseEstimator", "litert_installed"]
