"""``backstep bench``: measure the pose model alone and the kiosk's full pipeline."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from kiosk.cli.analyze import load_cli_config
from kiosk.cli.options import config_option

logger = logging.getLogger(__name__)


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
    help="Frames per phase (the clip repeats to reach it).",
)
@config_option
def bench(video: Path | None, as_json: bool, frames: int, config_path: Path | None) -> None:
    """Benchmark on VIDEO (default: the built-in demo clip), letterboxed to 640x480.

    In one run on the same pre-decoded frames: the bare model's throughput, the full
    pipeline's (capture thread, inference, member selection, smoothing, metrics), per-stage
    times, capture-to-result latency, peak memory and time to the first pose. Targets are
    reported, not enforced: pipeline/bare >= 0.90, overhead <= 2 ms p50, latency p95 <=
    1.5 x inference p95, RSS <= 400 MB.
    """
    from vision.errors import ModelError, SourceError
    from vision.offline.bench import run_bench
    from vision.pose.model import ensure_model
    from vision.sources.video import demo_path

    config = load_cli_config(config_path)
    try:
        model_path = ensure_model(config.model)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    clip = video if video is not None else demo_path()
    from kiosk.cli.progress import progress_bar
    from vision.offline.bench import BENCH_PHASES

    try:
        with progress_bar("bench", total=len(BENCH_PHASES), unit="phase") as bar:

            def phase(name: str) -> None:
                if bar.n or name != BENCH_PHASES[0]:
                    bar.update()
                bar.set_description(f"bench: {name}")

            report = run_bench(clip, frames, config, model_path, on_phase=phase)
    except (SourceError, ModelError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), separators=(",", ":")))
    else:
        click.echo(report.format())
