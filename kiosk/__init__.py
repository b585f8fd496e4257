"""Backstep kiosk: state machine, screens, cues, sessions, members, storage and CLI."""

__version__ = "0.1.0"
