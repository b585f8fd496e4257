"""Steps and cadence of a real backward walker (tests/fixtures/retro_walk_gym.mp4), at Pi rates.

Hand count (the clip has no labels). The 103 frames were extracted with cv2 and laid out as
contact sheets of 20 frames (legs only, frame numbers burnt in) and looked at one by one. She
faces left and steps back to the right. A step is one foot contact: the swinging rear foot's
toe touches the floor on frames 6, 22, 38, 54, 70 and 86 (flat on 7, 23, 39, 55, 71, 87); at
frames 100-102 the next foot is still in the air. So: **6 contacts, 16 frames apart**, a step
time of 16/30 s = 0.533 s, **112.5 steps/min**.

The clip is decimated to 10 and 6 fps (every 3rd / 5th frame, with the original timestamps),
the rates published for MediaPipe pose on a Raspberry Pi (about 5-8 fps), and run through the
kiosk's own pipeline with real MediaPipe inference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.clip_variants import frames, looped_walk, read_clip, with_noise, with_rail
from support.paths import FIXTURES

pytestmark = pytest.mark.slow

CLIP = FIXTURES / "retro_walk_gym.mp4"
HAND_STEPS = 6
HAND_CONTACT_FRAMES = (6, 22, 38, 54, 70, 86)
HAND_CADENCE_SPM = 60 * 30 / 16  # 112.5


def run_clip(model_path: Path, every: int, images=None, start: int = 0):
    """(step events, results) of the pipeline over every ``every``-th frame from ``start``."""
    from kiosk.config.schema import BackstepConfig
    from vision.loop.pipeline import build_pipeline

    pipeline = build_pipeline(BackstepConfig(), model_path, use_media_time=True)
    steps, results = [], []
    try:
        clip = read_clip(CLIP) if images is None else images
        for frame in frames(clip, every=every, start=start):
            result = pipeline.process(frame)
            results.append(result)
            steps += [e for e in result.events if e.kind == "step"]
    finally:
        pipeline.close()
    return steps, results


@pytest.mark.parametrize("every", [1, 3, 5], ids=["30fps", "10fps", "6fps"])
def test_cadence_matches_the_hand_count(model_path: Path, every: int) -> None:
    _, results = run_clip(model_path, every)
    last = results[-1].metrics
    assert last.cadence_spm == pytest.approx(HAND_CADENCE_SPM, rel=0.05)
    assert last.cadence_settled


@pytest.mark.parametrize("every", [1, 3], ids=["30fps", "10fps"])
def test_every_step_is_counted_once(model_path: Path, every: int) -> None:
    steps, _ = run_clip(model_path, every)
    assert len(steps) == HAND_STEPS
    # Each contact lies within 3 frames of a hand-counted touch-down (toe on the floor).
    for e in steps:
        assert min(abs(e.t * 30 - f) for f in HAND_CONTACT_FRAMES) <= 3


def test_at_6_fps_at_most_the_step_the_model_cannot_see_is_missed(model_path: Path) -> None:
    """At 6 fps MediaPipe's tracker puts both feet together on the touch-down at frame 85
    (the decimated frames are 80, 85, 90): that step cannot be seen, the others are."""
    steps, _ = run_clip(model_path, 5)
    assert HAND_STEPS - 1 <= len(steps) <= HAND_STEPS


@pytest.mark.parametrize("every", [1, 5], ids=["30fps", "6fps"])
def test_a_clip_started_mid_arm_swing_is_soon_seen_from_the_side_and_keeps_its_steps(
    model_path: Path, every: int
) -> None:
    """Started at frame 3 her shoulders read 0.39 torso lengths apart (arm swing), inside the
    band between a side (0.3) and a front view (0.45). That one frame used to fix a front
    view for 15 frames (0.5 s at 30 fps, 2.5 s at 6 fps): feet were read in depth, 7 steps
    at 30 fps, 3 of 6 at 6 fps. An unclear first view now gives way to the first clear one."""
    steps, results = run_clip(model_path, every, start=3)
    front = [r.frame_index for r in results if r.metrics.view == "front"]
    assert len(front) * every / 30 < 0.4  # the first clear ratio corrects it
    assert all(r.metrics.view == "side" for r in results[len(front) :])
    assert len(steps) == HAND_STEPS


def test_at_6_fps_each_phase_of_the_decimation_misses_at_most_the_unseeable_step(
    model_path: Path,
) -> None:
    """Every 5th frame from frame 0, 1, 2, 3 or 4: a camera at 6 fps may start anywhere.

    Measured 5, 6, 6, 6, 5 (before the first-view fix: 5, 6, 6, 3, 5). The two misses are
    not the detector's: from frame 0 the model puts both feet under the hips on frame 85,
    the only sample near the touch-down at 86 (it does so on that frame alone too: 0.2 m
    instead of the 0.42 m it tracks at 30 fps); from frame 4 the first touch-down (5-6)
    is already past its peak on the first sample, so its rise is never seen.
    """
    counts = [len(run_clip(model_path, 5, start=start)[0]) for start in range(5)]
    assert min(counts) >= HAND_STEPS - 1
    assert sum(counts) >= 5 * HAND_STEPS - 2


def test_no_cadence_fault_for_a_normal_walker(model_path: Path) -> None:
    _, results = run_clip(model_path, 1)
    faults = [e for r in results for e in r.events if e.kind == "fault"]
    assert not [e for e in faults if e.data["fault"] == "cadence"]


def test_she_is_seen_from_the_side_facing_left(model_path: Path) -> None:
    _, results = run_clip(model_path, 3)
    assert all(r.metrics.view == "side" for r in results)
    assert all(r.metrics.facing == "left" for r in results)


@pytest.mark.parametrize("every", [1, 3, 5], ids=["30fps", "10fps", "6fps"])
def test_a_rail_across_the_hands_and_sensor_noise_keep_the_count(
    model_path: Path, every: int
) -> None:
    """A grey hand rail drawn across the frame at wrist height, and noise of SD 8 grey levels.

    The step count must stay exact. Cadence gets +-7 %: the clip has only 5 step intervals
    in 3.4 s, and at 10 fps one frame is 6 % of a step, so one contact timed a frame off
    moves the estimate by about 1-2 % (measured: 112.3, 119.1, 114.7 steps/min).
    """
    rng = np.random.default_rng(1)
    images = [with_noise(with_rail(im), 8, rng) for im in read_clip(CLIP)]
    steps, results = run_clip(model_path, every, images)
    assert len(steps) == HAND_STEPS
    assert results[-1].metrics.cadence_spm == pytest.approx(HAND_CADENCE_SPM, rel=0.07)


# -- a longer walk: 32 hand-counted steps, so that 5 % is one step, not none ---------------

#: Two whole strides of the clip, from mid-stance (frame 30, half a step before the touch-down
#: at 38) to frame 93 (the seam's next frame, 94, is two strides after 30): the touch-downs at
#: 38, 54, 70 and 86, that is frame 85, where at 6 fps the model once merged the feet, too.
LOOP_START, LOOP_FRAMES = 30, 64
LONG_STEPS = 32
#: Hand count of the looped walk, from the clip's (above): the touch-downs fall 8, 24, 40 and
#: 56 frames into each loop of 64. The walk ends on the frame before the 33rd touch-down (a
#: window that cuts through a touch-down counts it or not by where the cut falls).
LONG_CONTACT_FRAMES = tuple(8 + 16 * k for k in range(LONG_STEPS))
LONG_FRAMES = LONG_CONTACT_FRAMES[-1] + 16


@pytest.fixture(scope="module")
def long_walk():
    return looped_walk(read_clip(CLIP), LOOP_START, LOOP_FRAMES, LONG_FRAMES)


@pytest.mark.parametrize(
    ("every", "start"),
    [(1, 0), (3, 0), (5, 0), (5, 1), (5, 2), (5, 3), (5, 4)],
    ids=["30fps", "10fps", "6fps", "6fps+1", "6fps+2", "6fps+3", "6fps+4"],
)
def test_over_32_steps_the_count_is_within_5_percent_at_30_10_and_6_fps(
    model_path: Path, long_walk, every: int, start: int
) -> None:
    """The issue's "step count within 5 % of the hand count at 30, 10 and 6 fps", over a walk
    long enough for 5 % to allow a step (1.6 of 32): on the 6-step clip it means exact, and at
    6 fps a touch-down at the clip's edge seen on one bad sample decides it (5 of 6 from frames
    0 and 4, above). Measured before any change: 32 of 32 at every rate and phase here."""
    steps, results = run_clip(model_path, every, long_walk, start=start)
    assert abs(len(steps) - LONG_STEPS) <= 0.05 * LONG_STEPS
    # ... and they are the hand-counted ones: each touch-down found within a 6-fps sample.
    times = [e.t * 30 for e in steps]
    assert all(min(abs(t - f) for t in times) <= 5 for f in LONG_CONTACT_FRAMES)
    assert results[-1].metrics.cadence_spm == pytest.approx(HAND_CADENCE_SPM, rel=0.05)
