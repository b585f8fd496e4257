"""Metrics on landmarks: posture, gait, core score, facing, camera view, baseline, faults."""
