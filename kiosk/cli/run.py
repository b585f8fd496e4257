"""``backstep run``: the kiosk (demo clip without a camera, headless without a display)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from kiosk.cli.options import config_option

logger = logging.getLogger(__name__)


def _parse_size(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 800x480") from None
    if not (320 <= w <= 3840 and 240 <= h <= 2160):
        raise click.BadParameter(f"{value!r} is outside 320x240 .. 3840x2160")
    return w, h


def _has_display() -> bool:
    if os.environ.get("SDL_VIDEODRIVER") or os.environ.get("DISPLAY"):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    return any(Path("/dev/dri").glob("card*"))


@click.command()
@config_option
@click.option(
    "--source",
    default=None,
    help='"camera", "demo" or a video file (default: the config; demo without one).',
)
@click.option("--headless", is_flag=True, help="No display: draw off-screen (SDL dummy).")
@click.option(
    "--seconds", type=click.FloatRange(min=0.1), default=None, help="Stop after this many seconds."
)
@click.option(
    "--screenshots",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=(
        "Save a PNG of each screen when first shown, and one every few seconds. "
        "Screenshots include the camera view (images of the member): for demos and tests "
        "only. Command line only, never set from the config."
    ),
)
@click.option(
    "--press",
    "presses",
    default=None,
    help='Scripted presses, e.g. "1.5:start,40:stop,45:select/hold".',
)
@click.option("--size", callback=_parse_size, default=None, help="Window size, e.g. 1280x720.")
def run(
    config_path: Path | None,
    source: str | None,
    headless: bool,
    seconds: float | None,
    screenshots: Path | None,
    presses: str | None,
    size: tuple[int, int] | None,
) -> None:
    """Run the kiosk; prints one line of JSON (ui_fps, pose_fps, ...) at exit."""
    from kiosk.app.lockdown import process_stop_signal

    # first, before the slow imports and the model: a SIGTERM or Ctrl-C from here on ends
    # the run the one clean way (the JSON line), never "Aborted!" or a -15 exit (#23)
    process_stop_signal().install()
    from kiosk.app.loop import RunOptions, run_kiosk, summary_line
    from kiosk.app.presses import parse_presses
    from vision.sources.choice import SOURCE_MODES

    if source is not None and source not in SOURCE_MODES and not Path(source).exists():
        # a mistyped file would otherwise be retried forever as a lost camera
        raise click.BadParameter(
            f"{source!r} is not a video file here, nor one of {', '.join(SOURCE_MODES)}",
            param_hint="--source",
        )
    if config_path is not None and not config_path.is_file():
        # safe mode is for a bad edit of the staff file, not for a name typed wrong here: that
        # would silently coach on another config and exit 0
        raise click.BadParameter(f"{config_path}: no such file", param_hint="--config")
    if presses:
        try:
            parse_presses(presses)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--press") from None
    from kiosk.config.safe import load_config_safe

    # Never refuse to start over the staff file: an invalid one runs on the last valid config
    # (or the packaged defaults) with the errors on the staff screen (safe mode).
    loaded = load_config_safe(config_path)
    config = loaded.config
    used_path: Path | None = loaded.path
    if loaded.source == "default" and not loaded.path.is_file():
        used_path = None
    from kiosk.app.logs import setup_logging

    # the staff file's level and the journal format from here on (again after a reload)
    setup_logging(config.logging)
    if screenshots is not None:
        logger.warning(
            "--screenshots: saving screens to %s, including camera images of the member "
            "(for demos and tests only)",
            screenshots,
        )
    if not headless and not _has_display():
        logger.warning("no display found; running headless")
        headless = True
    options = RunOptions(
        config_path=used_path,
        source=source,
        headless=headless,
        seconds=seconds,
        screenshots=screenshots,
        presses=presses,
        size=size,
        startup_errors=list(loaded.problems),
    )
    from kiosk.app.lockdown import EXIT_ALREADY_RUNNING, EXIT_NO_DISPLAY, AlreadyRunningError
    from kiosk.ui.display import DisplayError

    try:
        summary = run_kiosk(config, options)
    except AlreadyRunningError as exc:
        click.echo(f"backstep run: {exc}", err=True)
        sys.exit(EXIT_ALREADY_RUNNING)
    except DisplayError as exc:
        logger.error("%s", exc)  # one line (the journal's under systemd), no traceback
        sys.exit(EXIT_NO_DISPLAY)
    status = int(summary.pop("exit_status", 0))
    click.echo(summary_line(summary))
    if status:
        sys.exit(status)
