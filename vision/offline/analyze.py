"""Offline analysis of a video file: per-frame rows (JSONL or CSV) and a human summary."""

from __future__ import annotations

import csv
import json
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import numpy as np

from vision.loop.pipeline import build_pipeline, estimator_factory, run_pipeline
from vision.types import METRIC_KEYS as FRAME_METRIC_KEYS
from vision.types import Event, FrameResult

if TYPE_CHECKING:
    from vision.loop.config import VisionConfig
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)

#: Metric columns, in output order: the fields of `FrameMetrics`. Every row has every
#: key (null where unknown or when no member is seen), so a file's columns do not depend on
#: what the first frame happened to show.
METRIC_KEYS: tuple[str, ...] = FRAME_METRIC_KEYS

#: Every row's keys, in order (the CSV header).
ROW_KEYS: tuple[str, ...] = ("frame", "t", "person", *METRIC_KEYS, "step", "events")

#: Shown by ``backstep analyze --help``; the one description of the row schema.
ROW_SCHEMA_HELP = (
    "Each row describes one frame: frame (index from 0), t (seconds into the video), "
    "person (true when a member stands in the treadmill zone), then the metrics "
    + ", ".join(METRIC_KEYS)
    + " (null when unknown), step ({side, toe_first} when a step landed on this frame, "
    "else null) and events (a list of {kind, t, ...}: step, fault, fault_cleared, safety). "
    "JSONL: one JSON object per line, nothing else on those lines. CSV: the same columns "
    "with a header; step and events as compact JSON, empty for null."
)

_DECIMALS = 3


def _clean(value: Any) -> Any:
    """JSON-safe: floats rounded, NaN/inf as null, numpy scalars as Python values."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return round(value, _DECIMALS) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return str(value)


def _step(events: Iterable[Event]) -> dict[str, Any] | None:
    for event in events:
        if event.kind == "step":
            return {
                "side": event.data.get("side"),
                "toe_first": _clean(event.data.get("toe_first")),
            }
    return None


def result_row(result: FrameResult) -> dict[str, Any]:
    """One output row for a frame (see `ROW_SCHEMA_HELP`)."""
    t = result.media_t if result.media_t is not None else result.t
    row: dict[str, Any] = {
        "frame": result.frame_index,
        "t": round(t, _DECIMALS),
        "person": result.person,
    }
    for key, value in result.metrics.to_dict().items():
        row[key] = _clean(value)
    row["step"] = _step(result.events)
    row["events"] = [_clean(e.to_dict()) for e in result.events]
    return row


class RowWriter(Protocol):
    """Writes rows to a stream; `close` flushes (it does not close a borrowed stream)."""

    def write(self, row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class JsonlWriter:
    """One compact JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, row: dict[str, Any]) -> None:
        """Append one row."""
        self._stream.write(json.dumps(row, separators=(",", ":"), allow_nan=False) + "\n")

    def close(self) -> None:
        """Flush."""
        self._stream.flush()


class CsvWriter:
    """The same columns as CSV, with a header; nested values as compact JSON."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(ROW_KEYS)

    @staticmethod
    def _cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return "" if not value else json.dumps(value, separators=(",", ":"))
        return str(value)

    def write(self, row: dict[str, Any]) -> None:
        """Append one row."""
        self._writer.writerow([self._cell(row.get(key)) for key in ROW_KEYS])

    def close(self) -> None:
        """Flush."""
        self._stream.flush()


def writer_for(path: Path | None, stream: IO[str]) -> RowWriter:
    """CSV when ``path`` ends in ``.csv``, else JSONL (also for stdout, ``path`` None)."""
    if path is not None and path.suffix.lower() == ".csv":
        return CsvWriter(stream)
    return JsonlWriter(stream)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100, linear interpolation), or None for no values."""
    if not values:
        return None
    return float(np.percentile(values, q))


class StageTimes:
    """Collects per-stage durations (seconds in, milliseconds out) for summaries."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}

    def add(self, timings: dict[str, float]) -> None:
        """Record one frame's `FrameResult.timings`; also derives ``overhead`` = total - infer."""
        for stage, seconds in timings.items():
            self.samples.setdefault(stage, []).append(seconds)
        if "total" in timings and "infer" in timings:
            overhead = max(0.0, timings["total"] - timings["infer"])
            self.samples.setdefault("overhead", []).append(overhead)

    def ms(self, stage: str, q: float) -> float | None:
        """The ``q``-th percentile of ``stage`` in milliseconds (None if never recorded)."""
        value = percentile(self.samples.get(stage, []), q)
        return None if value is None else value * 1000.0


class AnalysisSummary:
    """Counts and timings over an analysed video, printed for a human at the end.

    Besides counts and timings: the steps found, the last cadence (steps/min, marked
    "settling" before enough steps agree), the share of member frames judged upright, and
    the facing and view seen most often, so a clip can be checked against a hand count.
    """

    def __init__(self, source_name: str, workers: int = 1) -> None:
        self.source_name = source_name
        self.workers = workers
        self.frames = 0
        self.with_person = 0
        self.events: Counter[str] = Counter()
        self.upright = 0
        self.judged = 0
        self.facings: Counter[str] = Counter()
        self.views: Counter[str] = Counter()
        self.cadence_spm: float | None = None
        self.cadence_settled = False
        self.stages = StageTimes()
        self.started = time.perf_counter()
        self.elapsed_s = 0.0

    def add(self, result: FrameResult) -> None:
        """Account for one processed frame."""
        self.frames += 1
        self.with_person += result.person
        self.events.update(e.kind for e in result.events)
        m = result.metrics
        if result.person:
            if m.posture not in (None, "no_person", "low_confidence"):
                self.judged += 1
                self.upright += m.posture == "upright"
            if m.facing:
                self.facings[m.facing] += 1
            if m.view:
                self.views[m.view] += 1
        if m.cadence_spm is not None:
            self.cadence_spm, self.cadence_settled = m.cadence_spm, m.cadence_settled
        self.stages.add(result.timings)
        self.elapsed_s = time.perf_counter() - self.started

    @property
    def person_share(self) -> float:
        """Fraction of frames with a member (0..1)."""
        return self.with_person / self.frames if self.frames else 0.0

    @property
    def steps(self) -> int:
        """Foot contacts found (one contact = one step)."""
        return self.events["step"]

    @property
    def upright_percent(self) -> float | None:
        """Share of the judged member frames that were upright, %, or None."""
        return 100.0 * self.upright / self.judged if self.judged else None

    def gait_line(self) -> str:
        """Steps, cadence, % upright, facing and view, for a human."""
        if self.cadence_spm is None:
            cadence = "cadence -"
        else:
            note = "" if self.cadence_settled else " (settling)"
            cadence = f"cadence {self.cadence_spm:.1f} steps/min{note}"
        upright = self.upright_percent
        facing = ", ".join(f"{k} {n}" for k, n in self.facings.most_common()) or "-"
        view = ", ".join(f"{k} {n}" for k, n in self.views.most_common()) or "-"
        return (
            f"steps {self.steps}, {cadence}, upright "
            + ("-" if upright is None else f"{upright:.0f}%")
            + f", facing {facing} (frames), view {view} (frames)"
        )

    @property
    def fps(self) -> float:
        """Frames processed per second of wall time."""
        return self.frames / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def format(self) -> str:
        """A few lines for stderr."""
        lines = [
            f"{self.source_name}: {self.frames} frames, member found in "
            f"{self.with_person} ({100 * self.person_share:.0f}%), "
            f"{self.fps:.1f} frames/s with {self.workers} pose "
            + ("worker" if self.workers == 1 else "workers"),
            self.gait_line(),
        ]
        parts = []
        for stage in ("convert", "infer", "select", "smooth", "metrics", "overhead", "total"):
            p50, p95 = self.stages.ms(stage, 50), self.stages.ms(stage, 95)
            if p50 is not None and p95 is not None:
                parts.append(f"{stage} {p50:.2f}/{p95:.2f}")
        if parts:
            lines.append("ms p50/p95: " + ", ".join(parts))
        if self.events:
            lines.append("events: " + ", ".join(f"{k} {n}" for k, n in sorted(self.events.items())))
        return "\n".join(lines)


def analyze_video(
    source: FrameSource,
    config: VisionConfig,
    model_path: Path,
    on_row: Callable[[dict[str, Any]], None],
    *,
    view: str | None = None,
    workers: int | None = None,
) -> AnalysisSummary:
    """Run the kiosk's `FramePipeline` over every frame of an opened ``source``, in order.

    No pacing and no dropping: each frame is decoded, processed and turned into a row (the
    smoother and analyzer see the video's own clock, ``Frame.media_t``). The frames go
    through the kiosk's own driver (`run_pipeline`) with ``workers`` pose workers (default
    ``vision.pose_workers``); rows still come out in frame order. The caller opens and
    closes ``source``. Raises `vision.errors.ModelError` for a bad model.
    """
    count = workers if workers is not None else config.vision.workers()
    summary = AnalysisSummary(source.name, count)
    make = estimator_factory(config, model_path, count)
    pipeline = build_pipeline(config, model_path, view=view, use_media_time=True, estimator=make())
    try:
        summary.started = time.perf_counter()

        def on_result(result: FrameResult) -> None:
            on_row(result_row(result))
            summary.add(result)

        run_pipeline(
            source,
            pipeline,
            on_result,
            threading.Event(),
            exit_when_exhausted=True,
            workers=count,
            estimator_factory=make,
        )
    finally:
        pipeline.close()
    return summary
