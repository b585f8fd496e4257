"""Frame sources: the protocol, USB cameras, Picamera2, video files, and the choice among them."""
