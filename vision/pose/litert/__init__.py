"""BlazePose on LiteRT (``ai-edge-litert``) behind the `PoseEstimator` protocol."""

from vision.pose.litert.estimator import LiteRTPoseEstimator

__all__ = ["LiteRTPoseEstimator"]
