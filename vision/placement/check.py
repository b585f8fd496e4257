"""Run the placement check over a camera or a clip: the kiosk's own pipeline, then the verdicts."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vision.loop.pipeline import build_pipeline, run_pipeline
from vision.placement import judge
from vision.placement.roll import estimate_roll
from vision.settings import ZoneConfig
from vision.types import Frame, FrameResult

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

#: The check looks at the whole picture: the zone is what it suggests, not what it trusts.
WHOLE_PICTURE = ZoneConfig(x0=0.0, y0=0.0, x1=1.0, y1=1.0)
#: A picture is kept for the light, sharpness and roll lines this often (media or wall time).
SAMPLE_EVERY_S = 0.5
#: At most this many pictures are held (in memory only, never written anywhere).
MAX_SAMPLES = 40


@dataclass
class _Collected:
    """What the pipeline run hands to the verdicts."""

    frames: int = 0
    members: list[judge.MemberFrame] = field(default_factory=list)
    pictures: dict[int, judge.PictureSample] = field(default_factory=dict)
    first_t: float | None = None
    last_t: float = 0.0


class _SamplingSource:
    """A frame source that keeps a picture every ``SAMPLE_EVERY_S`` for the image lines."""

    def __init__(self, inner: FrameSource, keep: dict[int, judge.PictureSample]) -> None:
        self.inner = inner
        self.name = inner.name
        self.is_live = inner.is_live
        self._keep = keep
        self._next_t: float | None = None

    def open(self) -> None:
        """Open the wrapped source."""
        self.inner.open()

    def read(self) -> Frame | None:
        """The next frame; every half second's picture is kept by index."""
        frame = self.inner.read()
        if frame is None:
            return None
        t = frame.media_t if frame.media_t is not None else frame.t
        if (self._next_t is None or t >= self._next_t) and len(self._keep) < MAX_SAMPLES:
            self._keep[frame.index] = judge.PictureSample(frame.image.copy(), None)
            self._next_t = t + SAMPLE_EVERY_S
        return frame

    def close(self) -> None:
        """Close the wrapped source."""
        self.inner.close()


def check_placement(
    source: FrameSource,
    config: VisionConfig,
    model_path: Path,
    *,
    seconds: float = judge.ZONE_SECONDS,
) -> judge.PlacementReport:
    """Watch ``source`` (opened by the caller) for ``seconds`` and judge the camera's placement.

    Every frame goes through the kiosk's pipeline with the whole picture as the zone, so the
    member is found wherever they walk and the zone can be suggested from it. Raises
    `vision.errors.ModelError` for a bad model.
    """
    got = _Collected()
    sampler = _SamplingSource(source, got.pictures)
    stop = threading.Event()
    pipeline = build_pipeline(
        config, model_path, use_media_time=not source.is_live, zone=WHOLE_PICTURE
    )

    def on_result(result: FrameResult) -> None:
        t = result.media_t if result.media_t is not None else result.t
        got.first_t = t if got.first_t is None else got.first_t
        got.last_t = t
        got.frames += 1
        if result.pose is not None:
            got.members.append(
                judge.MemberFrame(t, result.pose.image.copy(), result.metrics.seen_view)
            )
            if result.frame_index in got.pictures:
                kept = got.pictures[result.frame_index]
                got.pictures[result.frame_index] = judge.PictureSample(
                    kept.image, result.pose.bbox()
                )
        if t - got.first_t >= seconds:
            stop.set()

    started = time.perf_counter()
    try:
        run_pipeline(sampler, pipeline, on_result, stop, exit_when_exhausted=True)
    finally:
        pipeline.close()
    wall = max(1e-6, time.perf_counter() - started)
    return judge_collected(got, config.camera.view, got.frames / wall)


def judge_collected(got: _Collected, expected_view: str, pose_fps: float) -> judge.PlacementReport:
    """Every verdict from what a run collected."""
    pictures = list(got.pictures.values())
    rolls = [estimate_roll(p.image, p.member_box) for p in pictures]
    zone = judge.suggest_zone(got.members)
    report = judge.PlacementReport(zone=zone, seconds=got.last_t - (got.first_t or 0.0))
    report.lines = [
        judge.judge_framing(got.members, got.frames),
        judge.judge_view(got.members, expected_view),
        judge.judge_roll(rolls),
        judge.judge_light(pictures),
        judge.judge_sharpness(pictures),
        judge.judge_pose_rate(pose_fps),
        judge.judge_zone(got.members, zone),
    ]
    return report


def format_report(report: judge.PlacementReport) -> str:
    """The check as a table for a terminal: verdict, line, what was measured, the fix."""
    width = max(len(line.name) for line in report.lines)
    rows = []
    for line in report.lines:
        rows.append(f"{line.verdict.upper():4}  {line.name:<{width}}  {line.measured}")
        if line.fix:
            rows.append(f"{'':4}  {'':<{width}}  fix: {line.fix}")
    return "\n".join(rows)
