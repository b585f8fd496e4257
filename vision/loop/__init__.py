"""The real-time loop: the capture thread, the per-frame pipeline and the vision service."""
