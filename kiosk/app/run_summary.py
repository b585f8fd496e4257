"""The one-line JSON summary ``backstep run`` prints at exit (ui_fps, pose_fps, states ...)."""

from __future__ import annotations

import json
import time
from typing import Any


def run_summary(
    *,
    ui_fps: float,
    pose_fps: float,
    dropped_frames: int,
    states_seen: list[str],
    frames_drawn: int,
    ui_cpu_ms_per_frame: float | None = None,
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
        "ui_cpu_ms_per_frame": None
        if ui_cpu_ms_per_frame is None
        else round(ui_cpu_ms_per_frame, 2),
        "size": list(size),
        "screenshots": screenshots,
        "errors": errors[-5:],
        "gpio_warning": gpio_warning or None,
        "exit": exit_reason or None,
        "storage_failures": storage_failures,
        "saving": saving,
    }


def ui_cpu_ms_per_frame(cpu_at_start: float | None, frames_drawn: int) -> float | None:
    """The UI thread's CPU milliseconds per drawn frame since ``cpu_at_start``.

    ``cpu_at_start`` is `time.thread_time` read by the UI thread when its loop started, and
    this must be called from that thread: the inference, capture and storage threads are
    not counted, nor the time the loop sleeps to hold its frame rate.
    """
    if cpu_at_start is None or frames_drawn <= 0:
        return None
    return (time.thread_time() - cpu_at_start) * 1000.0 / frames_drawn


def summary_line(summary: dict[str, Any]) -> str:
    """The one line of JSON printed at exit."""
    return json.dumps(summary, separators=(",", ":"))


class LoopRates:
    """The loop's counters: frames drawn, new pose results, and the rates since the start."""

    def __init__(self) -> None:
        self.frames_drawn = 0
        self.result_frames = 0
        self._last_result_index = -1
        self.started: float | None = None  # monotonic, when the loop started
        self.cpu_at_start: float | None = None  # the UI thread's CPU clock then

    def start(self) -> None:
        """The loop starts now (called from the UI thread)."""
        self.started = time.monotonic()
        self.cpu_at_start = time.thread_time()

    def saw_result(self, frame_index: int) -> None:
        """A pose result was read; counted once per new frame."""
        if frame_index != self._last_result_index:
            self._last_result_index = frame_index
            self.result_frames += 1

    def _rate(self, count: int) -> float:
        elapsed = time.monotonic() - self.started if self.started is not None else 0.0
        return count / elapsed if elapsed > 0 else 0.0

    @property
    def ui_fps(self) -> float:
        """Frames drawn per second since the loop started."""
        return self._rate(self.frames_drawn)

    @property
    def pose_fps(self) -> float:
        """New pose results per second since the loop started."""
        return self._rate(self.result_frames)
