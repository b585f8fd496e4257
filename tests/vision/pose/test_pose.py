"""The MediaPipe pose estimator: real inference on the fixture clips, VIDEO-mode timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from support.doubles import CallLog

from vision.errors import ModelError, VisionError
from vision.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from vision.settings import ModelConfig
from vision.types import NUM_LANDMARKS, Frame


@pytest.fixture
def estimator(model_path: Path) -> Iterator[MediaPipePoseEstimator]:
    est = MediaPipePoseEstimator(model_path, ModelConfig(num_poses=1))
    yield est
    est.close()


def test_estimator_satisfies_the_protocol(estimator: MediaPipePoseEstimator) -> None:
    assert isinstance(estimator, PoseEstimator)


def test_finds_one_person_in_most_frames_of_the_single_person_clip(
    estimator: MediaPipePoseEstimator, single_person_frames: list[Frame]
) -> None:
    frames = single_person_frames
    found = 0
    for frame in frames:
        poses = estimator.detect(frame)
        assert len(poses) <= 1
        if poses:
            found += 1
            pose = poses[0]
            assert pose.image.shape == (NUM_LANDMARKS, 4)
            assert pose.world.shape == (NUM_LANDMARKS, 3)
            assert np.all((pose.image[:, 3] >= 0) & (pose.image[:, 3] <= 1))
            # The man stands in the middle of the portrait frame, hips around mid-height.
            hips = pose.image[[23, 24], :2].mean(axis=0)
            assert 0.2 < hips[0] < 0.8 and 0.2 < hips[1] < 0.7
            # World landmarks are metres around the hips: a body is about 1-2 m tall.
            assert 0.3 < np.ptp(pose.world[:, 1]) < 2.5
    assert found >= 0.9 * len(frames)
    assert set(estimator.timings) >= {"convert", "infer"}


def test_timestamps_stay_strictly_increasing_when_a_frame_comes_twice(
    estimator: MediaPipePoseEstimator, single_person_frames: list[Frame]
) -> None:
    frame = single_person_frames[0]
    first = estimator.detect(frame)
    # The very same frame again (same capture time): MediaPipe would reject an equal
    # timestamp; the estimator must still answer, with the same person (the torso; arms
    # move a little between a fresh detection and a tracked frame).
    again = estimator.detect(frame)
    assert first and again
    torso = [11, 12, 23, 24]
    np.testing.assert_allclose(first[0].image[torso, :2], again[0].image[torso, :2], atol=0.03)


def test_timestamp_is_forced_above_the_previous_one_when_the_clock_steps_back(
    estimator: MediaPipePoseEstimator,
) -> None:
    a = estimator.next_timestamp_ms(100.0)
    b = estimator.next_timestamp_ms(100.0)
    c = estimator.next_timestamp_ms(50.0)
    d = estimator.next_timestamp_ms(100.5)
    assert a == 100_000
    assert a < b < c < d
    assert d == 100_500


def test_a_frame_with_an_earlier_capture_time_is_still_processed(
    estimator: MediaPipePoseEstimator, single_person_frames: list[Frame]
) -> None:
    frames = single_person_frames[:2]
    estimator.detect(frames[1])
    stepped_back = Frame(image=frames[0].image, t=frames[1].t - 10.0, index=0)
    assert estimator.detect(stepped_back)


def test_a_strided_image_is_accepted(
    estimator: MediaPipePoseEstimator, single_person_frames: list[Frame]
) -> None:
    frame = single_person_frames[0]
    view = frame.image[:, ::-1]  # a mirrored view: not C-contiguous
    assert not view.flags.c_contiguous
    assert estimator.detect(Frame(image=view, t=frame.t, index=0))


def test_a_missing_model_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found") as info:
        MediaPipePoseEstimator(tmp_path / "nothing.task", ModelConfig())
    assert isinstance(info.value, VisionError) and isinstance(info.value, RuntimeError)


def test_a_damaged_model_file_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match="cannot load"):
        MediaPipePoseEstimator(bad, ModelConfig())


def test_close_is_idempotent_and_detect_after_close_is_an_error(
    model_path: Path, single_person_frames: list[Frame]
) -> None:
    est = MediaPipePoseEstimator(model_path, ModelConfig())
    est.close()
    est.close()
    with pytest.raises(ModelError):
        est.detect(single_person_frames[0])


def test_landmarker_options_come_from_the_model_config(model_path: Path) -> None:
    from mediapipe.tasks.python import vision as mp_vision

    from vision.pose.estimator import landmarker_options

    cfg = ModelConfig(num_poses=3, min_detection_confidence=0.7, min_tracking_confidence=0.3)
    options = landmarker_options(model_path, cfg)
    assert options.running_mode == mp_vision.RunningMode.VIDEO
    assert options.num_poses == 3
    assert options.min_pose_detection_confidence == 0.7
    assert options.min_pose_presence_confidence == 0.5
    assert options.min_tracking_confidence == 0.3
    assert options.base_options.model_asset_path == str(model_path)
    assert options.output_segmentation_masks is False


def test_before_infer_runs_once_a_frame_right_before_the_model(
    estimator: MediaPipePoseEstimator, single_person_frames: list[Frame]
) -> None:
    log: list[str] = []
    inner = estimator._landmarker
    estimator._landmarker = CallLog(inner, "detect_for_video", "model", log)  # type: ignore[assignment]
    try:
        for frame in single_person_frames[:3]:
            log.append("frame")
            estimator.detect(frame, lambda: log.append("hook"))
    finally:
        estimator._landmarker = inner
    # After the frame is wrapped for the model, before the model: once a frame.
    assert log == ["frame", "hook", "model"] * 3
