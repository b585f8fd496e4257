"""Pose estimation: the estimator, the model file, member selection and smoothing."""
