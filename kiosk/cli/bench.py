"""``backstep bench``: pose throughput at 1-3 workers, the UI's cost, start-up, a memory soak."""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.analyze import load_cli_config
from kiosk.cli.options import config_option

if TYPE_CHECKING:
    from kiosk.config.schema import BackstepConfig

logger = logging.getLogger(__name__)


def _backends(value: str | None) -> tuple[str, ...]:
    """The backends to measure: those named, or every one installed here."""
    from vision.pose.backends import BACKENDS, installed_backends

    if value is None:
        return installed_backends()
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    if not names or any(name not in BACKENDS for name in names):
        raise click.BadParameter(f"a comma-separated list of {', '.join(BACKENDS)}")
    missing = [name for name in names if name not in installed_backends()]
    if missing:
        raise click.BadParameter(f"not installed here: {', '.join(missing)}")
    return tuple(dict.fromkeys(names))


def _workers(value: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        counts = ()
    if not counts or any(not 1 <= n <= 8 for n in counts):
        raise click.BadParameter("a comma-separated list of 1-8, e.g. 1,2,3")
    return counts


@click.command()
@click.argument(
    "video", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object as the last line.")
@click.option(
    "--frames",
    type=click.IntRange(10, 100_000),
    default=300,
    show_default=True,
    help="Frames per run (the clip repeats to reach it).",
)
@click.option(
    "--workers",
    "workers_text",
    default="1,2,3",
    show_default=True,
    help="Pose worker counts to measure.",
)
@click.option(
    "--backend",
    "backend_text",
    default=None,
    help="Backends to measure, e.g. mediapipe,litert (default: every one installed).",
)
@click.option(
    "--cores",
    type=click.IntRange(1, 256),
    default=None,
    help="Pin the benchmark (every thread; with --ui, the kiosk) to this many cores.",
)
@click.option("--ui", is_flag=True, help="Measure the kiosk's UI and start-up instead.")
@click.option(
    "--ui-seconds",
    type=click.FloatRange(2, 3600),
    default=15.0,
    show_default=True,
    help="Seconds per screen size with --ui.",
)
@click.option(
    "--soak",
    "soak_minutes",
    type=click.FloatRange(0.5, 24 * 60),
    default=None,
    help="Run the vision service this many minutes on the clip and report its memory.",
)
@click.option(
    "--links",
    type=click.Choice(["virtual", "station"]),
    default=None,
    help="Measure the pose loop with the Bluetooth links active against without, in "
    "alternating runs: 'virtual', a virtual treadmill and strap (needs the development "
    "dependency bumble); 'station', the staff file's [treadmill] and [heart_rate] over BlueZ.",
)
@click.option(
    "--repeats",
    type=click.IntRange(1, 50),
    default=4,
    show_default=True,
    help="With --links: pairs of runs (without, with; the order flips each pair).",
)
@config_option
def bench(
    video: Path | None,
    as_json: bool,
    frames: int,
    workers_text: str,
    backend_text: str | None,
    cores: int | None,
    ui: bool,
    ui_seconds: float,
    soak_minutes: float | None,
    links: str | None,
    repeats: int,
    config_path: Path | None,
) -> None:
    """Benchmark on VIDEO (default: the built-in demo clip), letterboxed to 640x480.

    By default, in one run on the same pre-decoded frames: the bare model's throughput,
    then the full pipeline's (capture thread, pose workers, member selection, smoothing,
    metrics) at each --workers count, with capture-to-result latency and the pipeline's
    memory (without the bench's frame buffers), for each --backend in turn, in the order
    given (by default every installed one, model.backend first). Prints a Markdown table.
    --ui instead runs the kiosk headless at 800x480, 1280x720 and 1920x1080 (pinned with
    --cores, default 1, together with its pose workers) and a fresh start-up; --soak runs
    the vision service for minutes and reports whether its memory stays flat; --links
    runs the pipeline at the first --workers count with and without the Bluetooth links
    (a virtual treadmill and strap, or the staff file's devices; docs/treadmill.md, "What
    it costs").
    Targets are reported, not enforced.
    """
    from vision.errors import ModelError, SourceError
    from vision.pose.model import ensure_model
    from vision.sources.video import demo_path

    counts = _workers(workers_text)
    backends = _backends(backend_text)
    if links == "virtual" and importlib.util.find_spec("bumble") is None:
        # bumble is a development dependency: a station has none, and must not need it
        click.echo(
            "backstep bench --links virtual needs bumble, a development dependency that is "
            "not installed here (pip install bumble, or install Backstep with its dev extra).",
            err=True,
        )
        raise click.exceptions.Exit(2)
    if ui:
        _bench_ui(cores if cores is not None else 1, ui_seconds, config_path, as_json)
        return
    if cores is not None:
        from vision.offline.bench import pin_to_cores

        try:
            pinned = pin_to_cores(cores)
        except (ValueError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
        logger.info("bench pinned to cores %s", pinned)
    config = load_cli_config(config_path)
    if backend_text is None:
        # The configured backend first: the report's top-level figures are the first one's.
        backends = tuple(sorted(backends, key=lambda name: name != config.model.backend))
    try:
        model_path = ensure_model(config.model)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    clip = video if video is not None else demo_path()
    try:
        if soak_minutes is not None:
            _soak(clip, soak_minutes, config, model_path, as_json)
            return
        if links is not None:
            _bench_links(
                clip, frames, repeats, config, model_path, counts[0], backends[0], as_json, links
            )
            return
        from kiosk.cli.progress import progress_bar
        from vision.offline.bench import bench_phases, run_bench

        phases = bench_phases(counts, backends)
        with progress_bar("bench", total=len(phases), unit="phase") as bar:

            def phase(name: str) -> None:
                if bar.n or name != phases[0]:
                    bar.update()
                bar.set_description(f"bench: {name}")

            report = run_bench(
                clip, frames, config, model_path, counts, on_phase=phase, backends=backends
            )
    except (SourceError, ModelError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), separators=(",", ":")))
    else:
        click.echo(report.format())


def _bench_links(
    clip: Path,
    frames: int,
    repeats: int,
    config: BackstepConfig,
    model_path: Path,
    workers: int,
    backend: str,
    as_json: bool,
    kind: str,
) -> None:
    from hw.ble.errors import BluetoothError
    from kiosk.cli.bench_links import run_links_bench, station_links_configured

    if kind == "station" and not station_links_configured(config):
        click.echo(
            "backstep bench --links station reads the staff file's devices, and it names none: "
            "set [treadmill] or [heart_rate] enabled and device (docs/treadmill.md), or use "
            "--links virtual.",
            err=True,
        )
        raise click.exceptions.Exit(2)

    def progress(i: int, total: int, links: bool) -> None:
        if not as_json:
            click.echo(f"  run {i + 1}/{total} {'with' if links else 'without'} links", err=True)

    try:
        report = run_links_bench(
            clip, frames, repeats, config, model_path, workers, backend, progress, kind
        )
    except BluetoothError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), separators=(",", ":")))
    else:
        click.echo(report.format())


def _soak(clip: Path, minutes: float, config: object, model_path: Path, as_json: bool) -> None:
    from vision.offline.soak import run_soak

    def progress(elapsed: float, mb: float) -> None:
        if not as_json:
            click.echo(f"  {elapsed / 60:5.1f} min  RSS {mb:6.0f} MB", err=True)

    report = run_soak(clip, minutes, config, model_path, on_sample=progress)  # type: ignore[arg-type]
    if as_json:
        growth = report.growth_mb_per_hour
        data = {
            "minutes": minutes,
            "workers": report.workers,
            "frames_processed": report.frames_processed,
            "harness_mb": round(report.harness_mb, 1),
            "rss_mb": [[round(t, 1), round(mb - report.harness_mb, 1)] for t, mb in report.samples],
            "growth_mb_per_hour": None if growth is None else round(growth, 2),
        }
        click.echo(json.dumps(data, separators=(",", ":")))
    else:
        click.echo(report.format())


def _bench_ui(cores: int, seconds: float, config_path: Path | None, as_json: bool) -> None:
    from kiosk.cli.bench_ui import UI_SIZES, format_ui, startup_run, ui_run

    runs = []
    for size in UI_SIZES:
        if not as_json:
            click.echo(f"  UI at {size[0]}x{size[1]} for {seconds:g} s ...", err=True)
        runs.append(ui_run(size, seconds, cores, config_path))
    startup = startup_run(cores=None)
    if as_json:
        data = {
            "cores": cores,
            "ui": [
                {
                    "size": list(r.size),
                    "ui_fps": r.ui_fps,
                    "ui_cpu_ms_per_frame": r.ui_cpu_ms_per_frame,
                    "pose_fps": r.pose_fps,
                    "error": r.error,
                }
                for r in runs
            ],
            "first_frame_s": startup[0],
            "first_pose_s": startup[1],
        }
        click.echo(json.dumps(data, separators=(",", ":")))
    else:
        click.echo(format_ui(runs, cores, startup))
