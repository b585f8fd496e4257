"""``backstep doctor``: is this machine ready for a session? A table with a fix per problem."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kiosk.cli.options import config_option

logger = logging.getLogger(__name__)


@click.command()
@config_option
@click.option(
    "--placement",
    "placement",
    is_flag=False,
    flag_value="camera",
    default=None,
    metavar="[CLIP]",
    help="Check the camera's placement instead (a member walking on the belt), or a clip's.",
)
@click.option(
    "--seconds",
    type=click.FloatRange(3, 300),
    default=20.0,
    show_default=True,
    help="With --placement: how long to watch.",
)
@click.option(
    "--save-zone",
    is_flag=True,
    help="With --placement: save the suggested treadmill zone in the staff file.",
)
def doctor(
    config_path: Path | None, placement: str | None, seconds: float, save_zone: bool
) -> None:
    """Check camera, model, GPIO, display, config, data directory and disk.

    Exits 1 when something blocks a session; warnings (e.g. no camera but the demo clip
    can play) exit 0. ``--placement`` checks where the camera is instead (whole body in the
    picture, view, level, light, sharpness, pose rate, zone), each line with its fix.
    """
    if placement is not None:
        from kiosk.cli.placement import run_placement

        raise SystemExit(run_placement(config_path, placement, seconds, save_zone))
    from kiosk.doctor.checks import exit_code, format_table, run_checks

    results = run_checks(config_path)
    click.echo(format_table(results))
    raise SystemExit(exit_code(results))
