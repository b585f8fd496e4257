"""Run the placement check over a camera or a clip: the kiosk's own pipeline, then the verdicts."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vision.loop.pipeline import build_pipeline, run_pipeline
from vision.metrics.camera_view import width_ratio
from vision.metrics.geometry import to_landmarks
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
#: Landmarks less visible than this are not used for the view (the analyzer's default gate).
VIEW_GATE = 0.5
#: At most this many pictures are held (in memory only, never written anywhere).
MAX_SAMPLES = 40


class PlacementCollector:
    """What the check keeps while it watches: the member's landmarks and a few pictures.

    Fed by the offline runner below and by the kiosk's staff screen alike (it sees the kiosk's
    own results there, so no second model runs). Pictures stay in memory and are dropped with
    the collector: no camera frame is ever written anywhere.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.members: list[judge.MemberFrame] = []
        self.pictures: dict[int, judge.PictureSample] = {}
        self.first_t: float | None = None
        self.last_t = 0.0
        self._next_picture_t: float | None = None

    @property
    def seconds(self) -> float:
        """How long it has watched, by the frames' own clock."""
        return 0.0 if self.first_t is None else self.last_t - self.first_t

    def wants_picture(self, t: float) -> bool:
        """True when a picture taken at ``t`` should be kept (every half second, at most 40)."""
        due = self._next_picture_t is None or t >= self._next_picture_t
        return due and len(self.pictures) < MAX_SAMPLES

    def add_picture(self, index: int, t: float, image: np.ndarray) -> None:
        """Keep a copy of frame ``index``'s picture (its member box comes with its result)."""
        self.pictures[index] = judge.PictureSample(image.copy(), None)
        self._next_picture_t = t + SAMPLE_EVERY_S

    def add_result(self, result: FrameResult, t: float | None = None) -> None:
        """Account for one frame's pose result, at ``t`` (default: its media time, else ``t``).

        The kiosk passes its own clock: a looping clip's media time starts over at each pass.
        """
        if t is None:
            t = result.media_t if result.media_t is not None else result.t
        self.first_t = t if self.first_t is None else self.first_t
        self.last_t = t
        self.frames += 1
        if result.pose is None:
            return
        self.members.append(
            judge.MemberFrame(
                t, result.pose.image.copy(), _width_ratio(result), result.metrics.facing
            )
        )
        kept = self.pictures.get(result.frame_index)
        if kept is not None:
            self.pictures[result.frame_index] = judge.PictureSample(kept.image, result.pose.bbox())

    def report(
        self, expected_view: str, pose_fps: float, console_side: str = "auto"
    ) -> judge.PlacementReport:
        """Every verdict from what was collected (``console_side``: the staff file's)."""
        pictures = list(self.pictures.values())
        rolls = [estimate_roll(p.image, p.member_box) for p in pictures]
        zone = judge.suggest_zone(self.members)
        report = judge.PlacementReport(
            zone=zone, seconds=self.seconds, console_side=judge.find_console_side(self.members)[0]
        )
        report.lines = [
            judge.judge_framing(self.members, self.frames),
            judge.judge_view(self.members, expected_view),
            judge.judge_roll(rolls),
            judge.judge_light(pictures),
            judge.judge_sharpness(pictures),
            judge.judge_pose_rate(pose_fps),
            judge.judge_zone(self.members, zone),
            judge.judge_console(self.members, console_side),
        ]
        return report


def _width_ratio(result: FrameResult) -> float | None:
    """Shoulder width over torso length on this frame (the camera-view measure)."""
    pose = result.smoothed or result.pose
    if pose is None:
        return None
    lm = to_landmarks(pose.image, pose.world, result.frame_size, VIEW_GATE)
    return width_ratio(lm)


class _SamplingSource:
    """A frame source that hands the collector the pictures it wants."""

    def __init__(self, inner: FrameSource, collector: PlacementCollector) -> None:
        self.inner = inner
        self.name = inner.name
        self.is_live = inner.is_live
        self._collector = collector

    def open(self) -> None:
        """Open the wrapped source."""
        self.inner.open()

    def read(self) -> Frame | None:
        """The next frame; the collector keeps its picture when it wants one."""
        frame = self.inner.read()
        if frame is None:
            return None
        t = frame.media_t if frame.media_t is not None else frame.t
        if self._collector.wants_picture(t):
            self._collector.add_picture(frame.index, t, frame.image)
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
    got = PlacementCollector()
    sampler = _SamplingSource(source, got)
    stop = threading.Event()
    pipeline = build_pipeline(
        config, model_path, use_media_time=not source.is_live, zone=WHOLE_PICTURE
    )

    def on_result(result: FrameResult) -> None:
        got.add_result(result)
        if got.seconds >= seconds:
            stop.set()

    started = time.perf_counter()
    try:
        run_pipeline(sampler, pipeline, on_result, stop, exit_when_exhausted=True)
    finally:
        pipeline.close()
    wall = max(1e-6, time.perf_counter() - started)
    return got.report(config.camera.view, got.frames / wall, config.safety.console_side)


def format_report(report: judge.PlacementReport) -> str:
    """The check as a table for a terminal: verdict, line, what was measured, the fix."""
    width = max(len(line.name) for line in report.lines)
    rows = []
    for line in report.lines:
        rows.append(f"{line.verdict.upper():4}  {line.name:<{width}}  {line.measured}")
        if line.fix:
            rows.append(f"{'':4}  {'':<{width}}  fix: {line.fix}")
    return "\n".join(rows)
