"""``backstep doctor --placement``: is the camera placed right? Each line with its fix."""

from __future__ import annotations

import logging
from pathlib import Path

import click

logger = logging.getLogger(__name__)


def run_placement(config_path: Path | None, clip: str, seconds: float, save_zone: bool) -> int:
    """Check the camera (``clip`` "camera") or a clip; print the lines; return the exit code.

    With ``save_zone`` the suggested treadmill zone is written into the staff file (comments
    kept) once enough walking was seen for it. Exit 1 when a line failed, else 0: the kiosk
    itself refuses nothing because of a failed check, this only tells staff.
    """
    from kiosk.config.edit import ConfigWriteError
    from kiosk.config.edit import save_zone as write_zone
    from kiosk.config.loader import ConfigFileError, load_config_with_source
    from vision.errors import ModelError, SourceError
    from vision.placement.check import check_placement, format_report
    from vision.pose.model import find_model
    from vision.sources.choice import open_source
    from vision.sources.video import VideoFileSource

    try:
        loaded = load_config_with_source(config_path)
    except ConfigFileError as exc:
        raise click.ClickException(f"cannot read the configuration: {exc}") from exc
    cfg = loaded.config
    try:
        model = find_model(cfg.model).path
        if clip == "camera":
            source = open_source(cfg.camera, "camera")
        else:
            path = Path(clip)
            if not path.is_file():
                raise click.ClickException(f"no such clip: {clip}")
            source = VideoFileSource(path, realtime=False, rotation=cfg.camera.rotation)
            source.open()
    except (ModelError, SourceError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Watching {source.name} for up to {seconds:.0f} s: "
        "walk backwards on the belt, as a member does."
    )
    try:
        report = check_placement(source, cfg, model, seconds=seconds)
    finally:
        source.close()
    click.echo(format_report(report))
    if clip == "camera":
        # the station's own camera: the verdicts stay in force for its session records
        from kiosk.store.connection import resolve_data_dir
        from kiosk.store.placement_state import save_placement

        try:
            save_placement(resolve_data_dir(cfg.storage), report.summary())
        except OSError as exc:
            click.echo(f"placement results not kept: {exc}")
    if save_zone:
        zone_line = next(line for line in report.lines if line.name == "zone")
        if report.zone is None or zone_line.verdict != "pass":
            click.echo(f"zone not saved: {zone_line.fix or zone_line.measured}")
        elif loaded.source == "default" or not Path(loaded.path).is_file():
            click.echo("zone not saved: no staff file in use (give --config FILE)")
        else:
            try:
                write_zone(Path(loaded.path), report.zone, report.console_side)
            except ConfigWriteError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"zone saved in {loaded.path}")
            if report.console_side is not None:
                click.echo(f"safety.console_side = '{report.console_side}' saved")
    return 0 if report.passed else 1
