"""What ``backstep bench`` measured, as a table to paste into docs/benchmarks.md or as JSON."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any

#: Targets (issue #13), reported, never asserted: the pipeline at 1 worker keeps 95% of the
#: bare model's rate; 2 workers give 1.6x the rate of 1 (on 2 free cores); the rest as
#: before (overhead, latency, memory).
TARGET_RATIO = 0.95
TARGET_SPEEDUP_2 = 1.6
TARGET_OVERHEAD_MS = 2.0
TARGET_LATENCY_FACTOR = 1.5
TARGET_RSS_MB = 400.0


@dataclass
class WorkerRun:
    """The full pipeline at one worker count, on one backend.

    ``rss_mb`` is the process's resident memory while the pipeline ran, minus the bench's
    own decoded frames (a camera holds one or two): what the kiosk's vision part needs.
    ``fps_runs`` is every throughput measured at this count, in order. 1 worker is measured
    twice, like the bare model: the row is then the faster run's, but for memory and time
    to first pose, which are the first run's (`vision.offline.bench.faster`).
    """

    workers: int
    fps: float
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    infer_ms_p50: float | None
    overhead_ms_p50: float | None
    rss_mb: float
    person_share: float
    first_pose_s: float | None
    stages_ms: dict[str, dict[str, float | None]] = field(default_factory=dict)
    backend: str = "mediapipe"
    fps_runs: list[float] = field(default_factory=list)


@dataclass
class BackendBench:
    """One backend's phases: its bare model, then the pipeline at each worker count.

    ``threads`` is LiteRT's thread count per model, or "auto" (cores / workers; None for
    MediaPipe, which has no such setting); ``feed_fps`` the replay camera's rate for this
    backend's pipelines; ``bare_fps_runs`` both bare-model throughputs (before and after the
    pipelines), ``bare_fps`` the faster.
    """

    backend: str
    threads: int | str | None
    bare_fps: float
    bare_ms_p50: float | None
    feed_fps: float
    runs: list[WorkerRun] = field(default_factory=list)
    bare_fps_runs: list[float] = field(default_factory=list)

    def run(self, workers: int) -> WorkerRun | None:
        """The run at ``workers``, if measured."""
        return next((r for r in self.runs if r.workers == workers), None)

    @property
    def ratio(self) -> float:
        """1-worker pipeline rate over the bare model's."""
        one = self.run(1)
        return one.fps / self.bare_fps if one is not None and self.bare_fps > 0 else 0.0

    def speedup(self, workers: int) -> float | None:
        """Rate at ``workers`` over the rate at 1 worker (the faster of its two runs, against
        one run at ``workers``: if anything, the speed-up is understated)."""
        one, many = self.run(1), self.run(workers)
        if one is None or many is None or one.fps <= 0:
            return None
        return many.fps / one.fps

    def targets(self) -> dict[str, bool | None]:
        """Each target met (True), missed (False) or not measured (None)."""
        one = self.run(1)
        speedup = self.speedup(2)
        infer95 = None if one is None else one.stages_ms.get("infer", {}).get("p95")
        latency_ok = (
            None
            if one is None or one.latency_ms_p95 is None or infer95 is None
            else one.latency_ms_p95 <= TARGET_LATENCY_FACTOR * infer95
        )
        return {
            "ratio": None if one is None else self.ratio >= TARGET_RATIO,
            "speedup_2": None if speedup is None else speedup >= TARGET_SPEEDUP_2,
            "overhead": None
            if one is None or one.overhead_ms_p50 is None
            else one.overhead_ms_p50 <= TARGET_OVERHEAD_MS,
            "latency": latency_ok,
            "rss": None if not self.runs else max(r.rss_mb for r in self.runs) <= TARGET_RSS_MB,
        }

    def to_dict(self) -> dict[str, Any]:
        """This backend's JSON: its runs, ratio, speed-ups and targets."""
        data = asdict(self)
        data.update(
            ratio=round(self.ratio, 3),
            speedup={str(r.workers): self.speedup(r.workers) for r in self.runs},
            targets=self.targets(),
        )
        return data


@dataclass
class BenchReport:
    """One bench run; `to_dict` is the ``--json`` object, `format` the table.

    ``backends`` holds each backend's phases, the configured one (or the first asked for)
    first: the top-level figures (``bare_fps``, ``runs``, targets...) are that one's.
    """

    video: str
    frames: int
    frame_size: tuple[int, int]
    model_path: str
    num_poses: int
    cores: int
    load_avg: tuple[float, float, float]
    harness_mb: float
    backends: list[BackendBench] = field(default_factory=list)

    @property
    def primary(self) -> BackendBench:
        """The first backend measured (the top-level figures)."""
        return self.backends[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary; the first backend's figures (and its 1 worker's) at the top."""
        first = self.primary
        one = first.run(1)
        data: dict[str, Any] = {
            key: value for key, value in asdict(self).items() if key != "backends"
        }
        data.update(
            frame_size=list(self.frame_size),
            backend=first.backend,
            bare_fps=first.bare_fps,
            bare_ms_p50=first.bare_ms_p50,
            feed_fps=first.feed_fps,
            runs=[asdict(r) for r in first.runs],
            ratio=round(first.ratio, 3),
            pipeline_fps=None if one is None else one.fps,
            latency_ms_p50=None if one is None else one.latency_ms_p50,
            latency_ms_p95=None if one is None else one.latency_ms_p95,
            infer_ms_p50=None if one is None else one.infer_ms_p50,
            overhead_ms_p50=None if one is None else one.overhead_ms_p50,
            rss_mb=max((r.rss_mb for r in first.runs), default=None),
            first_pose_s=None if one is None else one.first_pose_s,
            speedup={str(r.workers): first.speedup(r.workers) for r in first.runs},
            targets=first.targets(),
            backends=[b.to_dict() for b in self.backends],
        )
        return rounded(data)

    def format(self) -> str:
        """A Markdown table (paste it into docs/benchmarks.md) with the conditions above it."""
        w, h = self.frame_size
        lines = [
            f"bench: {self.video}, {self.frames} frames per run at {w}x{h}, "
            f"num_poses {self.num_poses}, model {os.path.basename(self.model_path)}",
            f"machine: {machine()}, {self.cores} core(s) used, load average "
            + " / ".join(f"{v:.2f}" for v in self.load_avg)
            + " at the start",
        ]
        for b in self.backends:
            lines.append(
                f"bare model on {label(b)} (no pipeline): {b.bare_fps:.1f} frames/s, "
                f"{ms(b.bare_ms_p50)} ms p50; camera fed at {b.feed_fps:.0f} frames/s"
            )
        lines += [
            f"bench frame buffers {self.harness_mb:.0f} MB (not counted below)",
            "",
            "| backend | pose workers | frames/s | x 1 worker | / bare model "
            "| latency p50 / p95 ms | infer p50 ms | overhead p50 ms | pipeline RSS MB "
            "| member found |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for b in self.backends:
            for run in b.runs:
                speedup = b.speedup(run.workers)
                lines.append(
                    f"| {label(b)} | {run.workers} | {run.fps:.1f} | "
                    + ("-" if speedup is None else f"{speedup:.2f}x")
                    + f" | {run.fps / b.bare_fps if b.bare_fps > 0 else 0:.2f} | "
                    f"{ms(run.latency_ms_p50)} / {ms(run.latency_ms_p95)} | "
                    f"{ms(run.infer_ms_p50)} | {ms(run.overhead_ms_p50)} | {run.rss_mb:.0f} | "
                    f"{100 * run.person_share:.0f}% |"
                )
        lines.append("")
        for b in self.backends:
            one = b.run(1)
            if len(b.bare_fps_runs) > 1 and one is not None and len(one.fps_runs) > 1:
                lines.append(
                    f"{label(b)}: the bare model (first and last) and 1 worker (after it and "
                    "after the other counts) were each run twice and kept their faster run "
                    "(a busy moment in one run tilts the ratio neither way): bare "
                    + " / ".join(f"{v:.1f}" for v in b.bare_fps_runs)
                    + ", 1 worker "
                    + " / ".join(f"{v:.1f}" for v in one.fps_runs)
                    + " frames/s."
                )
        if len(self.backends) > 1:
            lines.append(
                "RSS is the process's: a backend measured after another also counts what that "
                "one left allocated (run --backend NAME alone to compare memory)."
            )
        for b in self.backends:
            t = b.targets()
            one = b.run(1)
            lines += [
                f"targets ({label(b)}): 1 worker / bare >= {TARGET_RATIO:.2f}: "
                f"{mark(t['ratio'])}; 2 workers >= {TARGET_SPEEDUP_2}x 1 worker: "
                f"{mark(t['speedup_2'])}; overhead <= {TARGET_OVERHEAD_MS:.0f} ms: "
                f"{mark(t['overhead'])}; latency p95 <= {TARGET_LATENCY_FACTOR} x infer p95: "
                f"{mark(t['latency'])}; RSS <= {TARGET_RSS_MB:.0f} MB: {mark(t['rss'])}",
                f"time to first pose ({label(b)}, model load + first frames, 1 worker): "
                + ("-" if one is None or one.first_pose_s is None else f"{one.first_pose_s:.2f} s"),
            ]
        return "\n".join(lines)


def label(bench: BackendBench) -> str:
    """A backend's name in the table, with LiteRT's thread count."""
    if bench.threads is None:
        return bench.backend
    return f"{bench.backend} ({bench.threads} thread{'' if bench.threads == 1 else 's'})"


def ms(value: float | None) -> str:
    """Milliseconds for the table ("-" when unknown)."""
    return "-" if value is None else f"{value:.1f}"


def mark(ok: bool | None) -> str:
    """A target's verdict."""
    return "n/a" if ok is None else ("ok" if ok else "MISSED")


def machine() -> str:
    """The CPU model, or the board's (a Pi's ``/proc/cpuinfo`` has "Model"), or the arch."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields.get("model name") or fields.get("Model") or platform.machine() or "unknown"


def rounded(value: Any) -> Any:
    """Floats to 3 decimals, through dicts and lists."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value
