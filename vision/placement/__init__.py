"""Is the camera where it should be? Framing, view, roll, light, sharpness, pose rate, zone."""
