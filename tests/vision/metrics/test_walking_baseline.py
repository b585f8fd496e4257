"""A member who is already walking gets a walking baseline from their first steady strides."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.baseline import WARMUP_STEPS, BaselineCollector
from vision.metrics.settings import PostureConfig


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
def test_a_walking_member_gets_a_walking_baseline_of_their_own_lean(fps: float) -> None:
    # Leaning 8 deg back by landmark geometry (the per-person offset real footage shows).
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100, trunk_lean_deg=-8.0)
    collector = BaselineCollector(3.0, frame_size=walker.p.frame_size)
    progress = []
    for t, pose in walker.sequence(12.0, fps):
        collector.add(t, pose)
        progress.append(collector.progress)
        if collector.is_done:
            break
    b = collector.result()
    assert collector.walking and b is not None
    assert b.kind == "walking" and b.steps >= 6
    assert b.trunk_lean_deg == pytest.approx(-8.0, abs=1.0)
    # The countdown moves on as she walks: never stuck for more than two step times.
    stuck = max_run(progress)
    assert stuck <= 2 * 0.6 * fps + WARMUP_STEPS * 0.6 * fps + 2


def max_run(values: list[float]) -> int:
    """The longest run of frames over which ``values`` did not grow (after the first rise)."""
    best = run = 0
    started = False
    for a, b in itertools.pairwise(values):
        if b > a:
            started, run = True, 0
        elif started and b < 1.0:
            run += 1
            best = max(best, run)
    return best


def test_standing_still_still_gives_a_standing_baseline() -> None:
    walker = SyntheticWalker(view="side", facing="right", walking=False)
    collector = BaselineCollector(3.0, frame_size=walker.p.frame_size)
    for t, pose in walker.sequence(3.5):
        collector.add(t, pose)
    b = collector.result()
    assert b is not None and b.kind == "standing" and not collector.walking


@pytest.mark.slow
def test_the_real_walker_gets_a_walking_baseline(model_path: Path) -> None:
    """tests/fixtures/retro_walk_gym.mp4 has six contacts in 3.4 s: two warm-up steps, then
    four steady ones are asked for (the clip is too short for the default six)."""
    from support.clip_variants import frames, read_clip
    from support.paths import FIXTURES

    from kiosk.config.schema import BackstepConfig
    from vision.loop.pipeline import build_pipeline

    pipeline = build_pipeline(BackstepConfig(), model_path, use_media_time=True)
    collector = BaselineCollector(2.0, posture=PostureConfig(baseline_walking_steps=4))
    try:
        for frame in frames(read_clip(FIXTURES / "retro_walk_gym.mp4")):
            r = pipeline.process(frame)
            collector.add(frame.t, r.smoothed, frame.size)
    finally:
        pipeline.close()
    b = collector.result()
    assert collector.walking and b is not None and b.kind == "walking"
    assert b.view == "side" and b.facing == "left"
    assert b.trunk_lean_deg is not None and abs(b.trunk_lean_deg) < 15
