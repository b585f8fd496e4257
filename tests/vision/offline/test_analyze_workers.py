"""``analyze`` runs the kiosk's pose workers: ``vision.pose_workers`` models, rows in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.paths import FIXTURES

import vision.loop.pipeline as pipeline_module
from kiosk.config.schema import BackstepConfig
from vision.offline.analyze import analyze_video
from vision.sources.video import VideoFileSource

CLIP = FIXTURES / "retro_walk_gym.mp4"
FRAMES = 103


@pytest.mark.parametrize(
    "workers",
    # 1 worker is the real-footage smoke test of `make test-fast` (about 5 s); 2 are slow.
    [pytest.param(1, marks=pytest.mark.smoke), pytest.param(2, marks=pytest.mark.slow)],
)
def test_analyze_runs_the_configured_pose_workers_with_the_same_steps_and_cadence(
    model_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The real backward walker (6 contacts by hand, 112.5 steps/min; test_gait_real.py)."""
    made: list[Any] = []
    real = pipeline_module.create_estimator

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pipeline_module, "create_estimator", counted)
    config = BackstepConfig()
    config.vision.pose_workers = workers
    rows: list[dict[str, Any]] = []
    with VideoFileSource(CLIP, realtime=False, loop=False) as source:
        summary = analyze_video(source, config, model_path, rows.append)

    assert len(made) == workers  # one model per worker, each in use
    assert [row["frame"] for row in rows] == list(range(FRAMES))
    assert summary.workers == workers
    assert f"with {workers} pose worker" in summary.format()
    assert summary.steps == 6
    assert summary.cadence_spm == pytest.approx(112.5, rel=0.05)
