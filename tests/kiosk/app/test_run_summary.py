"""The run summary's UI CPU figure: the UI thread's own CPU time per drawn frame."""

from __future__ import annotations

import threading
import time

from kiosk.app.run_summary import run_summary, ui_cpu_ms_per_frame


def spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_ui_cpu_counts_the_calling_threads_cpu_per_frame() -> None:
    start = time.thread_time()
    spin(0.05)
    ms = ui_cpu_ms_per_frame(start, 10)
    assert ms is not None and 5.0 <= ms < 50.0  # 50 ms of CPU over 10 frames, plus a bit


def test_other_threads_and_sleeping_are_not_counted() -> None:
    start = time.thread_time()
    worker = threading.Thread(target=spin, args=(0.1,))
    worker.start()
    time.sleep(0.05)
    worker.join()
    ms = ui_cpu_ms_per_frame(start, 1)
    assert ms is not None and ms < 20.0  # not the other thread's 100 ms


def test_no_frames_no_figure() -> None:
    assert ui_cpu_ms_per_frame(None, 10) is None
    assert ui_cpu_ms_per_frame(time.thread_time(), 0) is None


def test_the_summary_carries_it_rounded() -> None:
    summary = run_summary(
        ui_fps=30.0,
        pose_fps=20.0,
        dropped_frames=0,
        states_seen=["idle"],
        frames_drawn=3,
        ui_cpu_ms_per_frame=2.3456,
        size=(800, 480),
        screenshots=0,
        errors=[],
        gpio_warning="",
    )
    assert summary["ui_cpu_ms_per_frame"] == 2.35
