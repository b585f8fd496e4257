"""``bench --soak``: the vision service's memory sampled over a replay, and its growth rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.schema import BackstepConfig
from vision.offline.soak import SoakReport, run_soak


def test_growth_is_the_slope_after_the_warm_up() -> None:
    report = SoakReport(minutes=10, workers=1, frames_processed=0, harness_mb=40.0)
    # Warm-up jump in the first minute, then 1 MB per 10 minutes = 6 MB/hour.
    report.samples = [(0.0, 100.0), (30.0, 300.0)] + [
        (60.0 + 60.0 * i, 300.0 + 0.1 * i) for i in range(10)
    ]
    assert report.growth_mb_per_hour == pytest.approx(6.0)
    table = report.format()
    assert "| minute | RSS MB |" in table and "+6.0 MB/hour" in table
    assert "| 0.0 | 60 |" in table  # the replayed frames are taken off


def test_a_short_soak_samples_the_running_service(
    single_person_clip: Path, model_path: Path
) -> None:
    seen: list[float] = []
    report = run_soak(
        single_person_clip,
        0.05,
        BackstepConfig(),
        model_path,
        every_s=0.5,
        on_sample=lambda _t, mb: seen.append(mb),
    )
    assert len(report.samples) >= 3 and len(seen) == len(report.samples) - 1
    assert report.frames_processed > 0
    assert all(mb > 50 for mb in seen)
