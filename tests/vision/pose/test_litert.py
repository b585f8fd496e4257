"""The LiteRT backend: real inference on the fixture clips, checked against MediaPipe's own.

Both backends run the same two models from the same ``.task`` file, so they must agree: the
tolerances below are the measured gaps (docs/benchmarks.md) with a margin. Distances
are Euclidean, in fractions of the frame's long side, over the torso, hip, knee and ankle
landmarks (what posture, core and gait are judged on), on the zone crop the pipeline infers
on, with each clip's media times (MediaPipe's VIDEO-mode filter depends on them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from support.doubles import CallLog

from kiosk.config.schema import BackstepConfig
from vision.errors import ModelError
from vision.loop.pipeline import build_pipeline, estimator_factory, run_pipeline
from vision.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from vision.pose.selection import zone_crop
from vision.settings import ModelConfig
from vision.sources.video import VideoFileSource
from vision.types import Frame, FrameResult, Pose

pytest.importorskip("ai_edge_litert", reason="the LiteRT backend needs ai-edge-litert installed")

from vision.pose.litert import LiteRTPoseEstimator
from vision.pose.litert.anchors import ssd_anchors
from vision.pose.litert.roi import Roi

pytestmark = pytest.mark.slow

#: Shoulders, hips, knees, ankles.
JOINTS = [11, 12, 23, 24, 25, 26, 27, 28]
CLIPS = ("single_person_front", "two_people", "retro_walk_gym")


@dataclass
class Run:
    """One estimator over one clip's zone crops: its poses per frame and detector count."""

    poses: list[list[Pose]]
    sizes: list[tuple[int, int]]
    detector_runs: int


def zone_frames(clip: Path) -> list[Frame]:
    """The clip's frames cropped to the default zone, timed by the clip (as the pipeline)."""
    zone = BackstepConfig().zone
    frames = []
    with VideoFileSource(clip, realtime=False) as source:
        while (frame := source.read()) is not None:
            crop = zone_crop(zone, frame.size)
            image = frame.image if crop is None else np.ascontiguousarray(crop.crop(frame.image))
            assert frame.media_t is not None
            frames.append(Frame(image=image, t=frame.media_t, index=frame.index))
    return frames


def run(estimator: PoseEstimator, frames: list[Frame]) -> Run:
    try:
        poses = [estimator.detect(frame) for frame in frames]
    finally:
        estimator.close()
    runs = getattr(estimator, "detector_runs", 0)
    return Run(poses, [f.size for f in frames], runs)


def gaps(a: Run, b: Run) -> np.ndarray:
    """Landmark distances (long-side fractions) on the frames where both found a pose."""
    out = []
    for pa, pb, (w, h) in zip(a.poses, b.poses, a.sizes, strict=True):
        if pa and pb:
            d = (pa[0].image[JOINTS, :2] - pb[0].image[JOINTS, :2]) * [w, h] / max(w, h)
            out.extend(np.hypot(d[:, 0], d[:, 1]))
    return np.array(out)


@pytest.fixture(scope="module")
def runs(model_path: Path) -> dict[tuple[str, str], Run]:
    """Per clip: MediaPipe, LiteRT (with MediaPipe's filter) and LiteRT unfiltered."""
    from support.paths import FIXTURES

    cfg = ModelConfig()
    out = {}
    for clip in CLIPS:
        frames = zone_frames(FIXTURES / f"{clip}.mp4")
        out[clip, "mediapipe"] = run(MediaPipePoseEstimator(model_path, cfg), frames)
        out[clip, "litert"] = run(LiteRTPoseEstimator(model_path, cfg), frames)
        out[clip, "raw"] = run(LiteRTPoseEstimator(model_path, cfg, smooth=False), frames)
    return out


def test_the_detector_has_mediapipes_2254_anchors_on_its_three_grids() -> None:
    anchors = ssd_anchors()
    # 28 x 28 and 14 x 14 cells with 2 anchors each, 7 x 7 with 6 (three layers share it).
    assert anchors.shape == (28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6, 2) == (2254, 2)
    assert anchors[0] == pytest.approx([0.5 / 28, 0.5 / 28])
    assert anchors[-1] == pytest.approx([6.5 / 7, 6.5 / 7])


def test_a_region_maps_into_its_tensor_and_back() -> None:
    roi = Roi.from_alignment(np.array([100.0, 200.0]), np.array([130.0, 160.0]))
    assert roi.size == pytest.approx(2 * 50 * 1.25)
    points = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 0.25]])
    pixels = roi.to_image(points)
    assert pixels[1] == pytest.approx([100.0, 200.0])
    matrix = roi.to_tensor(256)
    back = (matrix[:, :2] @ pixels.T).T + matrix[:, 2]
    assert back == pytest.approx(points * 256)
    # The hip-to-circle vector points up in the region: the point above the hips is its top.
    up = Roi.from_alignment(np.array([100.0, 200.0]), np.array([100.0, 150.0]))
    assert up.rotation == pytest.approx(0.0)


@pytest.mark.parametrize("clip", CLIPS)
def test_litert_finds_a_pose_on_exactly_the_frames_mediapipe_does(runs: dict, clip: str) -> None:
    mp, lr = runs[clip, "mediapipe"], runs[clip, "litert"]
    assert [bool(p) for p in lr.poses] == [bool(p) for p in mp.poses]
    # Measured: every frame of the one-person clips; 44 of 50 of two_people (both lose the
    # person on the same 6 frames while the bystander crosses).
    assert sum(bool(p) for p in lr.poses) >= {"two_people": 44}.get(clip, len(lr.poses))


@pytest.mark.parametrize("clip", CLIPS)
def test_litert_landmarks_match_mediapipes(runs: dict, clip: str) -> None:
    d = gaps(runs[clip, "mediapipe"], runs[clip, "litert"])
    # Measured (long-side fractions): median 0.0009-0.0014, 95th percentile 0.010-0.019;
    # single frames up to 0.15 where an ankle or a raised arm is ambiguous and the model
    # answers differently to a region a fraction of a pixel away.
    assert np.median(d) < 0.003
    assert np.percentile(d, 95) < 0.03


@pytest.mark.parametrize("clip", CLIPS)
def test_reproducing_mediapipes_filter_brings_litert_closer(runs: dict, clip: str) -> None:
    filtered = gaps(runs[clip, "mediapipe"], runs[clip, "litert"])
    raw = gaps(runs[clip, "mediapipe"], runs[clip, "raw"])
    # Measured: median 0.0009-0.0014 filtered against 0.0028-0.0059 unfiltered.
    assert np.median(filtered) < 0.7 * np.median(raw)


@pytest.mark.parametrize("clip", ["single_person_front", "retro_walk_gym"])
def test_tracking_runs_the_detector_only_on_the_first_frame_of_a_steady_clip(
    runs: dict, clip: str
) -> None:
    assert runs[clip, "litert"].detector_runs == 1


def test_the_detector_runs_again_only_after_the_person_was_lost(runs: dict) -> None:
    lr = runs["two_people", "litert"]
    lost = sum(1 for p in lr.poses if not p)
    # The first frame, then each frame after a lost one (nobody found: it looks again).
    assert lr.detector_runs == 1 + lost


def test_timings_say_how_long_the_models_and_python_took(
    model_path: Path, single_person_frames: list[Frame]
) -> None:
    with LiteRTPoseEstimator(model_path, ModelConfig()) as estimator:
        assert isinstance(estimator, PoseEstimator)
        estimator.detect(single_person_frames[0])
        first = dict(estimator.timings)
        estimator.detect(single_person_frames[1])
        second = dict(estimator.timings)
    assert first["infer"] > 0 and first["convert"] > 0 and first["detector"] > 0
    assert second["infer"] > 0 and second["convert"] > 0
    assert second["detector"] == 0.0  # tracked: the detector did not run


def test_before_infer_runs_once_a_frame_right_before_the_first_model(
    model_path: Path, single_person_frames: list[Frame]
) -> None:
    log: list[str] = []
    with LiteRTPoseEstimator(model_path, ModelConfig()) as estimator:
        detector, landmarks = estimator._detector, estimator._landmarks
        assert detector is not None and landmarks is not None
        detector.interpreter = CallLog(detector.interpreter, "invoke", "detector", log)
        landmarks.interpreter = CallLog(landmarks.interpreter, "invoke", "landmarks", log)
        for frame in single_person_frames[:3]:
            log.append(f"frame {frame.index}")
            estimator.detect(frame, lambda: log.append("hook"))
    # Frame 0 finds the member with the detector, frames 1-2 track him: the hook runs once
    # a frame, after Python's work on the frame and right before its first model.
    assert log == [
        "frame 0", "hook", "detector", "landmarks",
        "frame 1", "hook", "landmarks",
        "frame 2", "hook", "landmarks",
    ]  # fmt: skip


def test_member_found_on_the_same_frames_through_the_pipeline(model_path: Path) -> None:
    from support.paths import FIXTURES

    def analyse(clip: str, backend: str) -> list[FrameResult]:
        config = BackstepConfig.model_validate({"model": {"backend": backend}})
        pipeline = build_pipeline(config, model_path, use_media_time=True)
        results: list[FrameResult] = []
        try:
            with VideoFileSource(FIXTURES / f"{clip}.mp4", realtime=False) as source:
                run_pipeline(
                    source, pipeline, results.append, threading.Event(), exit_when_exhausted=True
                )
        finally:
            pipeline.close()
        return results

    for clip, at_least in (("retro_walk_gym", 103), ("two_people", 40)):
        mp, lr = analyse(clip, "mediapipe"), analyse(clip, "litert")
        same = sum(a.person == b.person for a, b in zip(mp, lr, strict=True))
        # Measured: all 103; 41 of 50 on two_people, where the bystander walks off and the
        # identity check (hips within 0.085 of the frame per frame) kept MediaPipe's pose
        # (0.074 away) and dropped LiteRT's (0.091).
        assert same >= at_least


def test_the_backend_is_chosen_by_the_config(model_path: Path) -> None:
    config = BackstepConfig.model_validate({"model": {"backend": "litert"}})
    pipeline = build_pipeline(config, model_path)
    try:
        assert isinstance(pipeline.estimator, LiteRTPoseEstimator)
    finally:
        pipeline.close()
    extra = estimator_factory(config, model_path, workers=2)()
    try:
        assert isinstance(extra, LiteRTPoseEstimator)
    finally:
        extra.close()


def test_litert_threads_auto_shares_the_cores_among_the_workers() -> None:
    cfg = ModelConfig(backend="litert", litert_threads="auto")
    assert cfg.threads(workers=1, cores=4) == 4
    assert cfg.threads(workers=3, cores=4) == 1
    assert ModelConfig(litert_threads=2).threads(workers=3, cores=4) == 2


def test_the_config_refuses_litert_with_several_poses() -> None:
    with pytest.raises(ValidationError, match="num_poses must be 1"):
        BackstepConfig.model_validate({"model": {"backend": "litert", "num_poses": 2}})
    with pytest.raises(ValidationError, match="litert_threads"):
        BackstepConfig.model_validate({"model": {"litert_threads": 0}})


def test_a_closed_or_missing_model_is_a_model_error(model_path: Path, tmp_path: Path) -> None:
    estimator = LiteRTPoseEstimator(model_path, ModelConfig())
    estimator.close()
    estimator.close()  # idempotent
    with pytest.raises(ModelError, match="closed"):
        estimator.detect(Frame(image=np.zeros((64, 64, 3), np.uint8), t=0.0, index=0))
    with pytest.raises(ModelError, match="not found"):
        LiteRTPoseEstimator(tmp_path / "missing.task", ModelConfig())
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="cannot read"):
        LiteRTPoseEstimator(bad, ModelConfig())
