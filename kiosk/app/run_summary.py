"""The one-line JSON summary ``backstep run`` prints at exit (ui_fps, pose_fps, states ...)."""

from __future__ import annotations

import json
from typing import Any


def run_summary(
    *,
    ui_fps: float,
    pose_fps: float,
    dropped_frames: int,
    states_seen: list[str],
    frames_drawn: int,
    size: tuple[int, int],
    screenshots: int,
    errors: list[str],
    gpio_warning: str,
    exit_reason: str = "",
    storage_failures: int = 0,
    saving: bool = True,
) -> dict[str, Any]:
    """The summary's content (the issue asks at least for the first four keys)."""
    return {
        "ui_fps": round(ui_fps, 1),
        "pose_fps": round(pose_fps, 1),
        "dropped_frames": dropped_frames,
        "states_seen": list(states_seen),
        "frames_drawn": frames_drawn,
        "size": list(size),
        "screenshots": screenshots,
        "errors": errors[-5:],
        "gpio_warning": gpio_warning or None,
        "exit": exit_reason or None,
        "storage_failures": storage_failures,
        "saving": saving,
    }


def summary_line(summary: dict[str, Any]) -> str:
    """The one line of JSON printed at exit."""
    return json.dumps(summary, separators=(",", ":"))
