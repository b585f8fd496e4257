"""Backstep vision: camera sources, pose estimation, smoothing, posture and gait metrics."""
