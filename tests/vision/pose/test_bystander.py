"""A passer-by walking in front of the member, on real footage: never taken for the member.

The variant is built from tests/fixtures/retro_walk_gym.mp4: from frame 40, for 30 frames
(1 s), a second person (a mirrored, 1.3x larger copy of the walker, so nearer the camera and
facing the other way) slides across the frame and hides the member completely.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clip_variants import frames, read_clip, with_passer_by
from support.paths import FIXTURES

pytestmark = pytest.mark.slow

START, ACROSS = 40, 30


@pytest.fixture(scope="module")
def passer_by_clip():
    return with_passer_by(read_clip(FIXTURES / "retro_walk_gym.mp4"), START, ACROSS, source=10)


def run(images, model_path: Path, every: int, start: int = 0):
    from kiosk.config.schema import BackstepConfig
    from vision.loop.pipeline import build_pipeline
    from vision.pose.selection import hip_centre

    pipeline = build_pipeline(BackstepConfig(), model_path, use_media_time=True)
    rows = []
    try:
        for frame in frames(images, every=every, start=start):
            r = pipeline.process(frame)
            i = round(frame.t * 30)
            hips = hip_centre(r.pose) if r.pose is not None else None
            rows.append((i, r, hips))
    finally:
        pipeline.close()
    return rows


@pytest.mark.parametrize("every", [1, 3, 5], ids=["30fps", "10fps", "6fps"])
def test_the_passer_by_is_never_taken_for_the_member(
    passer_by_clip, model_path: Path, every: int
) -> None:
    rows = run(passer_by_clip, model_path, every)
    for i, r, hips in rows:
        if r.person:
            # Whoever is reported is the member: at her place, facing her way, on her belt.
            assert hips is not None and abs(hips[0] - 0.5) < 0.08 and abs(hips[1] - 0.49) < 0.06
            assert r.metrics.facing in ("left", None), i
            assert r.metrics.drift is None or 0.3 < r.metrics.drift < 0.7, i
    # While she is hidden (the block covers her hips) there is no person ...
    hidden = [r.person for i, r, _ in rows if START + 9 <= i <= START + 21]
    assert hidden and not any(hidden)
    # ... and she is found again once the passer-by has gone.
    after = [r.person for i, r, _ in rows if i >= START + ACROSS + 3]
    assert after and all(after)


def test_no_safety_alert_for_a_one_second_occlusion(passer_by_clip, model_path: Path) -> None:
    rows = run(passer_by_clip, model_path, 1)
    assert not [e for _, r, _ in rows for e in r.events if e.kind == "safety"]


# -- a taller person walking across, the way the member faces ----------------------------

#: The walking passer-by enters at frame 10 and takes 75 frames (2.5 s) to cross the frame:
#: the member is hidden from about frame 33 to 68, a bit more than a second.
WALK_START, WALK_ACROSS = 10, 75
#: The member's landmarks span x 0.29-0.69 of the frame on the clean clip (measured).
MEMBER_LEFT_EDGE = 0.29
MEMBER_TORSO = 0.255  # shoulder-to-hip length, frame fraction (0.24-0.27 on the clean clip)


def first_clear_frame(scale: float, width: int = 640) -> int:
    """The first frame on which the passing block has left the member entirely."""
    bw = int(width * scale) // 2
    for k in range(WALK_ACROSS):
        left = int(width - (width + bw) * (k + 1) / WALK_ACROSS)
        if left + bw < MEMBER_LEFT_EDGE * width:
            return WALK_START + k
    return WALK_START + WALK_ACROSS


@pytest.mark.parametrize("scale", [1.2, 1.4])
@pytest.mark.parametrize("every", [1, 3, 5], ids=["30fps", "10fps", "6fps"])
def test_a_taller_walker_in_front_is_never_taken_and_the_member_is_back_within_half_a_second(
    model_path: Path, scale: float, every: int
) -> None:
    """Before: 0.33 s behind the 1.2x walker the identity's tolerances had grown enough to
    take the walker as the member (followed 0.7 s across the frame, to x 0.12), and the real
    member, back in plain view, matched nobody's signature for the rest of the clip (the
    1.4x walker: one wrong frame did the same)."""
    from support.clip_variants import with_walking_passer_by

    from vision.pose.selection import torso_length

    images = with_walking_passer_by(
        read_clip(FIXTURES / "retro_walk_gym.mp4"), WALK_START, WALK_ACROSS, scale
    )
    rows = run(images, model_path, every)
    for i, r, hips in rows:
        if r.person:
            assert hips is not None and abs(hips[0] - 0.5) < 0.06 and abs(hips[1] - 0.5) < 0.06, i
            assert abs(torso_length(r.pose) / MEMBER_TORSO - 1.0) < 0.12, i
            assert r.metrics.facing in ("left", None), i
    assert_back_and_hidden(rows, scale)


def assert_back_and_hidden(rows, scale: float) -> None:
    """The member is reported again within 0.5 s of reappearing, and nobody while hidden."""
    clear = first_clear_frame(scale)
    back = [r.person for i, r, _ in rows if i >= clear + 15]  # 0.5 s after she reappears
    assert back and all(back)
    assert not any(r.person for i, r, _ in rows if 40 <= i <= 60)  # hidden: nobody


@pytest.mark.parametrize("scale", [1.2, 1.4])
@pytest.mark.parametrize("start", [1, 2, 3, 4])
def test_at_6_fps_from_any_phase_the_taller_walker_is_never_taken(
    model_path: Path, scale: float, start: int
) -> None:
    """A camera at 6 fps may start on any of five frames: the same checks from each phase.

    Facing is checked only once the walker is in view (frame 10 on): it is what could be
    confused then. Before it, from phase 3 the first two samples read the member as facing
    the camera (an unclear first view, which the gait gives way to within 0.4 s: see
    tests/vision/metrics/test_gait_real.py), not a wrong person."""
    from support.clip_variants import with_walking_passer_by

    from vision.pose.selection import torso_length

    images = with_walking_passer_by(
        read_clip(FIXTURES / "retro_walk_gym.mp4"), WALK_START, WALK_ACROSS, scale
    )
    rows = run(images, model_path, 5, start)
    for i, r, hips in rows:
        if r.person:
            assert hips is not None and abs(hips[0] - 0.5) < 0.06 and abs(hips[1] - 0.5) < 0.06, i
            assert abs(torso_length(r.pose) / MEMBER_TORSO - 1.0) < 0.12, i
            if i >= WALK_START:
                assert r.metrics.facing in ("left", None), i
    assert_back_and_hidden(rows, scale)
