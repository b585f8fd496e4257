"""``backstep analyze``: run the kiosk's per-frame pipeline over a video file, every frame."""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from kiosk.cli.options import config_option
from vision.offline.analyze import ROW_SCHEMA_HELP

if TYPE_CHECKING:
    from kiosk.config.schema import BackstepConfig
    from vision.offline.analyze import AnalysisSummary
    from vision.settings import ZoneConfig
    from vision.sources.base import FrameSource

logger = logging.getLogger(__name__)


def parse_zone(text: str) -> ZoneConfig:
    """``"x0,y0,x1,y1"`` (fractions of the frame) as a `ZoneConfig`; ValueError if invalid."""
    from vision.settings import ZoneConfig

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError("expected four numbers x0,y0,x1,y1 (fractions of the frame, 0..1)")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"not numbers: {text!r}; expected x0,y0,x1,y1") from None
    from pydantic import ValidationError

    try:
        return ZoneConfig(x0=x0, y0=y0, x1=x1, y1=y1)
    except ValidationError as exc:
        # one plain line per problem, not pydantic's multi-line report with its URLs
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
            for e in exc.errors()
        )
        raise ValueError(f"{problems} (each 0..1, x0 < x1 and y0 < y1)") from None


def load_cli_config(config_path: Path | None) -> BackstepConfig:
    """The configuration, with errors as one-line click messages."""
    from kiosk.config.loader import load_config

    try:
        return load_config(config_path)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read the configuration: {exc}") from exc


@click.command(epilog=ROW_SCHEMA_HELP)
@click.argument("video", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@config_option
@click.option(
    "--view",
    type=click.Choice(["side", "front", "auto"]),
    default=None,
    help="How the camera sees the member (default: camera.view in the config).",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write rows to this file: .csv for CSV, anything else JSONL (default: JSONL on stdout).",
)
@click.option(
    "--zone",
    "zone_text",
    default=None,
    metavar="X0,Y0,X1,Y1",
    help="Treadmill zone as fractions of the frame (default: [zone] in the config).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 8),
    default=None,
    help="Pose models run at once (default: vision.pose_workers in the config).",
)
def analyze(
    video: Path,
    config_path: Path | None,
    view: str | None,
    out_path: Path | None,
    zone_text: str | None,
    workers: int | None,
) -> None:
    """Analyse VIDEO frame by frame with the kiosk's own pipeline, as fast as possible.

    Every frame is processed (no pacing, no dropping), by the kiosk's pose workers; a
    summary (frames, member found, speed, per-stage times) goes to stderr.
    """
    from vision.errors import ModelError, SourceError
    from vision.pose.model import ensure_model
    from vision.sources.video import VideoFileSource

    config = load_cli_config(config_path)
    if zone_text is not None:
        try:
            config.zone = parse_zone(zone_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--zone") from exc
    if workers is not None:
        config.vision.pose_workers = workers
    if out_path is not None and not out_path.parent.is_dir():
        raise click.ClickException(f"cannot write {out_path}: no folder {out_path.parent}")
    # Check every input before touching --out, so a mistake never truncates an old file.
    source = VideoFileSource(video, realtime=False, loop=False)
    try:
        source.open()
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc
    with ExitStack() as stack:
        stack.callback(source.close)
        try:
            model_path = ensure_model(config.model)
        except ModelError as exc:
            raise click.ClickException(str(exc)) from exc
        total = _frame_count(video)
        if out_path is None:
            summary = _analyze_to(sys.stdout, None, source, config, model_path, view, total)
        else:
            # Written beside the target and renamed at the end: a run that fails half-way
            # leaves the previous file as it was.
            tmp = out_path.with_name(out_path.name + ".part")
            try:
                with open(tmp, "w", encoding="utf-8", newline="") as stream:
                    summary = _analyze_to(stream, out_path, source, config, model_path, view, total)
                tmp.replace(out_path)
            except OSError as exc:  # the .part name is ours, not the user's business
                why = exc.strerror or type(exc).__name__
                raise click.ClickException(f"cannot write {out_path}: {why}") from exc
            finally:
                tmp.unlink(missing_ok=True)
    click.echo(summary.format(), err=True)


def _frame_count(video: Path) -> int | None:
    """The container's frame count, for the progress bar (None when it does not say)."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()
    return count if count > 0 else None


def _analyze_to(
    stream: IO[str],
    out_path: Path | None,
    source: FrameSource,
    config: BackstepConfig,
    model_path: Path,
    view: str | None,
    total: int | None = None,
) -> AnalysisSummary:
    from kiosk.cli.progress import progress_bar
    from vision.errors import ModelError
    from vision.offline.analyze import analyze_video, writer_for

    writer = writer_for(out_path, stream)
    try:
        with progress_bar("analyze", total=total, unit="frame") as bar:

            def write(row: dict[str, Any]) -> None:
                writer.write(row)
                bar.update()

            return analyze_video(source, config, model_path, write, view=view)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        writer.close()
