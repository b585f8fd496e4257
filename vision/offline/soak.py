"""``backstep bench --soak``: the vision service's memory over a long replay (it must stay flat).

The kiosk's own `VisionService` (capture thread, pose workers, pipeline, event buffer) runs
on a `ReplaySource` at the camera's rate for the given minutes, as it would in a gym, while
its resident memory is sampled. A leak shows as growth after the first minute (warm-up:
the model's arenas, the allocator, caches); the report gives the growth per hour.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vision.offline.bench import rss_mb
from vision.offline.replay import ReplaySource, load_frames

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig

logger = logging.getLogger(__name__)

#: Distinct frames replayed in a loop (~10 s of a 30 fps clip): enough motion for gait.
SOAK_FRAMES = 300
WARMUP_S = 60.0


@dataclass
class SoakReport:
    """RSS samples (seconds since start, MB) and what they say."""

    minutes: float
    workers: int
    frames_processed: int
    harness_mb: float
    samples: list[tuple[float, float]] = field(default_factory=list)

    def after_warmup(self) -> list[tuple[float, float]]:
        """The samples after the first minute (or all of them in a shorter soak)."""
        late = [s for s in self.samples if s[0] >= min(WARMUP_S, self.minutes * 30.0)]
        return late or self.samples

    @property
    def growth_mb_per_hour(self) -> float | None:
        """Least-squares slope of RSS after the warm-up, MB per hour."""
        pts = self.after_warmup()
        if len(pts) < 3:
            return None
        n = len(pts)
        mean_t = sum(t for t, _ in pts) / n
        mean_m = sum(m for _, m in pts) / n
        var = sum((t - mean_t) ** 2 for t, _ in pts)
        if var <= 0:
            return None
        slope = sum((t - mean_t) * (m - mean_m) for t, m in pts) / var
        return slope * 3600.0

    def format(self) -> str:
        """A short table: RSS at a few points, the peak, the growth."""
        pts = self.after_warmup()
        growth = self.growth_mb_per_hour
        lines = [
            f"soak: {self.minutes:g} min, {self.workers} pose worker(s), "
            f"{self.frames_processed} frames analysed; RSS minus the "
            f"{self.harness_mb:.0f} MB of replayed frames",
            "",
            "| minute | RSS MB |",
            "|---:|---:|",
        ]
        step = max(1, len(self.samples) // 12)
        for t, mb in self.samples[::step]:
            lines.append(f"| {t / 60:.1f} | {mb - self.harness_mb:.0f} |")
        if pts:
            lines += [
                "",
                f"after warm-up: {min(m for _, m in pts) - self.harness_mb:.0f}-"
                f"{max(m for _, m in pts) - self.harness_mb:.0f} MB; growth "
                + ("-" if growth is None else f"{growth:+.1f} MB/hour"),
            ]
        return "\n".join(lines)


def run_soak(
    video: Path,
    minutes: float,
    config: VisionConfig,
    model_path: Path,
    *,
    every_s: float = 10.0,
    on_sample: Callable[[float, float], None] | None = None,
) -> SoakReport:
    """Run the vision service on ``video`` (looped) for ``minutes``; sample RSS."""
    from vision.loop.service import VisionService

    images = load_frames(video, SOAK_FRAMES).images
    distinct = {id(image): image for image in images}
    harness_mb = sum(image.nbytes for image in distinct.values()) / (1024 * 1024)
    fps = float(config.camera.fps)
    service = VisionService(
        config, model_path=model_path, source_factory=lambda: ReplaySource(images, fps)
    )
    report = SoakReport(minutes, config.vision.workers(), 0, harness_mb)
    start = time.monotonic()
    service.start()
    try:
        while (elapsed := time.monotonic() - start) < minutes * 60.0:
            mb = rss_mb()
            report.samples.append((elapsed, mb))
            if on_sample is not None:
                on_sample(elapsed, mb - harness_mb)
            service.drain_events()  # as the UI does: the buffer must not be what grows
            time.sleep(min(every_s, max(0.0, minutes * 60.0 - elapsed)))
        report.samples.append((time.monotonic() - start, rss_mb()))
        report.frames_processed = service.status().frames_processed
    finally:
        service.stop()
    return report
