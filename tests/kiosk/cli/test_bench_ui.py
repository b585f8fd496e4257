"""``bench --ui``: the kiosk in a fresh, pinned process reports its UI cost; start-up times."""

from __future__ import annotations

import pytest

from kiosk.cli.bench_ui import UiRun, format_ui, startup_run, ui_run


@pytest.mark.slow
def test_a_pinned_headless_kiosk_reports_ui_fps_and_cpu_per_frame_of_a_session() -> None:
    run = ui_run((800, 480), 6.0, cores=1, config=None)
    assert run.error is None
    assert run.ui_fps is not None and run.ui_fps > 0
    assert run.ui_cpu_ms_per_frame is not None and run.ui_cpu_ms_per_frame > 0
    # Measured on the screen a member reads for minutes, not only the idle screen.
    assert run.screens[-1] == "session"


def test_start_up_reports_the_first_frame_before_the_first_pose() -> None:
    frame, pose = startup_run(cores=None)
    assert frame is not None and pose is not None
    assert 0 < frame <= pose


def test_the_table_marks_each_target() -> None:
    runs = [
        UiRun((800, 480), 31.0, 1.2, 14.0),
        UiRun((1280, 720), 30.5, 2.5, 14.0),
        UiRun((1920, 1080), 29.0, 6.0, 13.0),
    ]
    table = format_ui(runs, 1, (0.3, 0.8))
    assert "| 1280x720 | 30.5 | 2.50 | <= 3 ok |" in table
    assert "| 1920x1080 | 29.0 | 6.00 | <= 5 MISSED |" in table
    assert "first camera frame 0.30 s" in table and "first pose 0.80 s" in table
