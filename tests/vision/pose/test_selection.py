"""Choosing the member: the person on the treadmill zone, never a bystander."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from vision.loop.pipeline import FramePipeline, run_pipeline
from vision.pose.estimator import MediaPipePoseEstimator
from vision.pose.selection import (
    CONTINUITY_RADIUS,
    CropRect,
    MemberSelector,
    hip_centre,
    torso_length,
    zone_crop,
)
from vision.pose.smoothing import LandmarkSmoother
from vision.settings import ModelConfig, SmoothingConfig, ZoneConfig
from vision.sources.video import VideoFileSource
from vision.types import FrameResult, Pose

PLATFORM = ZoneConfig(x0=0.45, y0=0.0, x1=1.0, y1=1.0)  # two_people.mp4: the platform person
EMPTY_FLOOR = ZoneConfig(x0=0.7, y0=0.75, x1=1.0, y1=1.0)  # two_people.mp4: mats, nobody
BYSTANDER_MAX_X = 0.33  # the woman on the left of two_people.mp4 has her hips near x 0.27


def run_clip(clip: Path, zone: ZoneConfig, model_path: Path) -> list[FrameResult]:
    """Every frame of ``clip`` through the real pipeline (no analyzer) with ``zone``."""
    pipeline = FramePipeline(
        MediaPipePoseEstimator(model_path, ModelConfig(num_poses=1)),
        MemberSelector(zone),
        LandmarkSmoother(SmoothingConfig()),
        None,
        use_media_time=True,
    )
    results: list[FrameResult] = []
    with VideoFileSource(clip, realtime=False) as source:
        run_pipeline(source, pipeline, results.append, threading.Event(), exit_when_exhausted=True)
    pipeline.close()
    return results


@pytest.fixture(scope="module")
def platform_results(two_people_clip: Path, model_path: Path) -> list[FrameResult]:
    return run_clip(two_people_clip, PLATFORM, model_path)


def test_the_member_on_the_platform_is_selected_in_most_frames(
    platform_results: list[FrameResult],
) -> None:
    selected = [r for r in platform_results if r.pose is not None]
    assert len(platform_results) == 50
    assert len(selected) >= 30


def test_the_selected_members_hips_lie_in_the_zone(platform_results: list[FrameResult]) -> None:
    hips = [hip_centre(r.pose) for r in platform_results if r.pose is not None]
    inside = [PLATFORM.contains(x, y) for x, y in hips]
    assert sum(inside) >= 0.9 * len(hips)
    # The rest only within the selector's hysteresis margin of the zone's edge.
    assert all(x >= PLATFORM.x0 - 0.05 for x, _ in hips)


def test_the_bystander_on_the_left_is_never_chosen(platform_results: list[FrameResult]) -> None:
    for r in platform_results:
        if r.pose is not None:
            assert hip_centre(r.pose)[0] > BYSTANDER_MAX_X
            assert r.smoothed is not None and hip_centre(r.smoothed)[0] > BYSTANDER_MAX_X


def test_a_zone_covering_only_empty_floor_finds_no_member(
    two_people_clip: Path, model_path: Path
) -> None:
    results = run_clip(two_people_clip, EMPTY_FLOOR, model_path)
    assert len(results) == 50
    assert not any(r.person for r in results)


def test_the_single_person_is_the_member_in_nearly_every_frame_with_the_default_zone(
    single_person_clip: Path, model_path: Path
) -> None:
    results = run_clip(single_person_clip, ZoneConfig(), model_path)
    assert sum(r.person for r in results) >= 45


# -- the selector's rules on real landmarks moved about --------------------------------


@pytest.fixture(scope="module")
def real_pose(single_person_clip: Path, model_path: Path) -> Pose:
    """A real pose of the man in the single-person clip (full-frame coordinates)."""
    with VideoFileSource(single_person_clip, realtime=False) as source:
        frame = source.read()
    assert frame is not None
    with MediaPipePoseEstimator(model_path, ModelConfig(num_poses=1)) as est:
        poses = est.detect(frame)
    assert poses
    return poses[0]


def shifted(pose: Pose, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0) -> Pose:
    """The same body moved by (dx, dy) and scaled about its hips (another person)."""
    image = pose.image.copy()
    cx, cy = hip_centre(pose)
    image[:, 0] = cx + (image[:, 0] - cx) * scale + dx
    image[:, 1] = cy + (image[:, 1] - cy) * scale + dy
    return Pose(image=image, world=pose.world.copy())


def place(pose: Pose, x: float, y: float, scale: float = 1.0) -> Pose:
    cx, cy = hip_centre(pose)
    return shifted(pose, x - cx, y - cy, scale)


ZONE = ZoneConfig(x0=0.3, y0=0.0, x1=0.7, y1=0.8)


def test_nobody_means_no_member(real_pose: Pose) -> None:
    assert MemberSelector(ZONE).select([]) == (None, [])


def test_a_person_with_hips_outside_the_zone_is_not_the_member(real_pose: Pose) -> None:
    outside = place(real_pose, 0.15, 0.4)
    member, others = MemberSelector(ZONE).select([outside])
    assert member is None and others == [outside]


def test_a_person_standing_in_front_with_feet_below_the_zone_is_not_the_member(
    real_pose: Pose,
) -> None:
    # Hips inside the zone's rectangle, but the visible feet far below the treadmill's end.
    in_front = place(real_pose, 0.5, 0.7, scale=1.6)
    feet_y = in_front.image[[27, 28, 29, 30, 31, 32], 1]
    assert feet_y.min() > ZONE.y1 + 0.05
    member, _ = MemberSelector(ZONE).select([in_front])
    assert member is None


def test_of_two_people_in_the_zone_the_previous_member_is_kept(real_pose: Pose) -> None:
    selector = MemberSelector(ZONE)
    member_a = place(real_pose, 0.40, 0.4, scale=0.8)
    bigger_b = place(real_pose, 0.60, 0.4, scale=1.0)
    first, _ = selector.select([member_a])
    assert first is member_a
    # B is larger (nearer the camera) and would win on its own, but A was the member.
    moved_a = shifted(member_a, dx=0.02)
    chosen, others = selector.select([bigger_b, moved_a])
    assert chosen is moved_a and others == [bigger_b]
    assert MemberSelector(ZONE).select([bigger_b, moved_a])[0] is bigger_b


def test_a_member_stays_selected_just_past_the_zone_edge_but_a_newcomer_does_not(
    real_pose: Pose,
) -> None:
    selector = MemberSelector(ZONE)
    inside = place(real_pose, 0.32, 0.4, scale=0.6)
    assert selector.select([inside])[0] is inside
    just_out = place(real_pose, 0.28, 0.4, scale=0.6)
    assert selector.select([just_out])[0] is just_out
    assert MemberSelector(ZONE).select([just_out])[0] is None


def test_a_far_jump_is_not_continuity(real_pose: Pose) -> None:
    selector = MemberSelector(ZONE)
    selector.select([place(real_pose, 0.35, 0.4, scale=0.6)])
    far = place(real_pose, 0.35 + CONTINUITY_RADIUS + 0.1, 0.4, scale=0.6)
    assert selector.select([far])[0] is far  # still in the zone: a new member, not refused


def test_set_zone_applies_to_the_next_selection(real_pose: Pose) -> None:
    selector = MemberSelector(ZONE)
    person = place(real_pose, 0.5, 0.4, scale=0.6)
    assert selector.select([person])[0] is person
    selector.set_zone(ZoneConfig(x0=0.0, y0=0.0, x1=0.2, y1=1.0))
    selector.reset()
    assert selector.select([person])[0] is None


# -- cropping to the zone and back ------------------------------------------------------


def test_zone_crop_grows_the_zone_by_the_margin_and_stays_inside_the_frame() -> None:
    crop = zone_crop(ZoneConfig(x0=0.45, y0=0.0, x1=1.0, y1=1.0), (360, 640), margin=0.1)
    assert (crop.x0, crop.y0, crop.x1, crop.y1) == (126, 0, 360, 640)
    assert zone_crop(ZoneConfig(x0=0.0, y0=0.0, x1=1.0, y1=1.0), (640, 480)).is_full_frame


def test_landmarks_from_a_crop_map_back_to_full_frame_coordinates() -> None:
    crop = CropRect(100, 50, 300, 450, (400, 500))
    image = np.zeros((33, 4))
    image[:, 0] = 0.5  # the crop's centre column ...
    image[:, 1] = 0.25
    image[:, 2] = 0.1
    image[:, 3] = 0.9
    pose = crop.to_frame(Pose(image=image, world=np.ones((33, 3))))
    assert pose.image[0, 0] == pytest.approx(200 / 400)  # ... is pixel 100 + 100 of 400
    assert pose.image[0, 1] == pytest.approx((50 + 100) / 500)
    assert pose.image[0, 2] == pytest.approx(0.1 * 200 / 400)
    assert pose.image[0, 3] == pytest.approx(0.9)
    np.testing.assert_array_equal(pose.world, np.ones((33, 3)))


# -- identity by continuity (with frame times) -------------------------------------------


def test_a_larger_person_in_front_is_not_the_member_while_she_is_hidden(real_pose: Pose) -> None:
    selector = MemberSelector(ZONE)
    member = place(real_pose, 0.5, 0.4, scale=0.6)
    assert selector.select([member], t=0.0)[0] is member
    # Nearer the camera: 30 % larger and lower in the frame, where the member was.
    stranger = place(real_pose, 0.5, 0.47, scale=0.78)
    for k in range(1, 30):
        assert selector.select([stranger], t=k / 30)[0] is None
    # She comes back where she was: she is the member again.
    assert selector.select([shifted(member, dx=0.01)], t=1.0)[0] is not None


def test_a_far_jump_is_refused_at_once_but_taken_as_a_new_member_after_a_while(
    real_pose: Pose,
) -> None:
    from vision.pose.identity import FORGET_S

    selector = MemberSelector(ZONE)
    selector.select([place(real_pose, 0.35, 0.4, scale=0.6)], t=0.0)
    far = place(real_pose, 0.35 + CONTINUITY_RADIUS + 0.1, 0.4, scale=0.6)
    assert selector.select([far], t=1 / 30)[0] is None
    assert selector.select([far], t=FORGET_S + 0.1)[0] is far


def test_a_member_may_turn_around_on_the_spot(real_pose: Pose) -> None:
    from vision.pose.identity import side_facing

    selector = MemberSelector(ZONE)
    member = place(real_pose, 0.5, 0.4, scale=0.6)
    turned = Pose(image=member.image.copy(), world=member.world.copy())
    # Mirror the face about the hips: the nose now points the other way.
    cx = hip_centre(member)[0]
    for i in (0, 7, 8):
        turned.image[i, 0] = 2 * cx - member.image[i, 0]
    assert selector.select([member], t=0.0)[0] is member
    if side_facing(member) != 0:
        assert side_facing(turned) == -side_facing(member)
    assert selector.select([turned], t=0.5)[0] is turned


def test_a_slightly_taller_person_is_not_taken_however_long_she_has_been_hidden(
    real_pose: Pose,
) -> None:
    """20 % larger, hips a third of a torso higher (taller, nearer): after half a second
    hidden the allowances used to have grown enough to take her; a hidden member does not
    change size, so they stop growing."""
    selector = MemberSelector(ZONE)
    member = place(real_pose, 0.5, 0.45, scale=0.6)
    for k in range(30):
        assert selector.select([member], t=k / 30)[0] is member
    torso = torso_length(member)
    stranger = place(real_pose, 0.5, 0.45 - torso / 3, scale=0.72)
    for k in range(15, 60):  # 0.5-2 s after she was last seen
        assert selector.select([stranger], t=1.0 + k / 30)[0] is None


def test_after_a_wrong_sighting_the_member_back_in_her_usual_place_is_taken_at_once(
    real_pose: Pose,
) -> None:
    selector = MemberSelector(ZONE)
    member = place(real_pose, 0.5, 0.45, scale=0.6)
    for k in range(30):
        selector.select([member], t=k / 30)
    # Something else was taken for her for one frame (a model glitch, a passer-by) ...
    selector.identity.seen(place(real_pose, 0.45, 0.38, scale=0.7), 1.0)
    # ... she is still herself, where she always was.
    back = shifted(member, dx=0.005)
    assert selector.select([back], t=1.0 + 1 / 30)[0] is back
