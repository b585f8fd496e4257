"""Members: the roster and its import, check-in by QR code, card reader or buttons."""
