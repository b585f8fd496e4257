"""A looping clip's seam is not a step: the real walker, looped, reads her real cadence.

The kiosk's demo and its test runs loop a file. At each wrap the walker jumps from the last
frame's pose to the first's; before the source marked the seam, the gait tracker took the
jump (and a landmark glitch in the clip's last frames) as a contact and a short step: a
hand-counted 112.5 steps/min walker read 116-128 and was cued "Slow, controlled steps"
twice in 34 s. Here the file is looped by the kiosk's own `VideoFileSource` and stamped with
the clock a real-time source gives (continuous across the seam, not the file position).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from support.paths import FIXTURES

pytestmark = pytest.mark.slow

CLIP = FIXTURES / "retro_walk_gym.mp4"
CLIP_FRAMES = 103
HAND_CADENCE_SPM = 60 * 30 / 16  # 112.5, tests/vision/metrics/test_gait_real.py


def run_looped(model_path: Path, every: int, passes: float):
    """The pipeline's results over the clip looped ``passes`` times, every ``every``-th frame
    (a seam on a skipped frame is handed on, as the capture thread does)."""
    from kiosk.config.schema import BackstepConfig
    from vision.loop.pipeline import build_pipeline
    from vision.sources.video import VideoFileSource

    pipeline = build_pipeline(BackstepConfig(), model_path)
    results = []
    seam = False
    try:
        with VideoFileSource(CLIP, realtime=False, loop=True) as source:
            for _ in range(int(CLIP_FRAMES * passes)):
                frame = source.read()
                assert frame is not None
                seam = seam or frame.discontinuity
                if frame.index % every:
                    continue
                # The capture clock of a source paced at the file's 30 fps.
                t = 1000.0 + frame.index / 30.0
                frame = dataclasses.replace(frame, t=t, discontinuity=seam)
                seam = False
                results.append(pipeline.process(frame))
    finally:
        pipeline.close()
    return results


@pytest.mark.parametrize(
    ("every", "passes", "hand_steps"),
    [(1, 3.5, 6 * 3 + 3), (3, 5, 6 * 5)],  # 3.5 passes: frames 6, 22, 38 of the 4th
    ids=["30fps", "10fps"],
)
def test_the_loop_seam_adds_no_step_and_no_cadence_fault(
    model_path: Path, every: int, passes: float, hand_steps: int
) -> None:
    """At 10 fps, five passes also caught a doubled contact (two peaks 0.22 s apart, the
    second confirmed only after the first was handed on)."""
    results = run_looped(model_path, every, passes)
    events = [e for r in results for e in r.events]
    assert not [e for e in events if e.kind == "fault" and e.data["fault"] == "cadence"]
    settled = [r.metrics.cadence_spm for r in results if r.metrics.cadence_settled]
    assert len(settled) > 0.6 * len(results)  # judged most of the time, across the seams
    worst = max(settled, key=lambda c: abs(c - HAND_CADENCE_SPM))
    assert worst == pytest.approx(HAND_CADENCE_SPM, rel=0.05)
    # 6 contacts a pass (frames 6, 22, ..., 86), none made up at a seam, none doubled.
    steps = [e.t - 1000.0 for e in events if e.kind == "step"]
    at_seam = [t for t in steps if abs(t * 30 % CLIP_FRAMES - CLIP_FRAMES) < 6]
    assert not at_seam
    assert len(steps) == hand_steps
