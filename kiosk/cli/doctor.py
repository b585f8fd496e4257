"""``backstep doctor``: is this machine ready for a session? A table with a fix per problem."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kiosk.cli.options import config_option

logger = logging.getLogger(__name__)


@click.command()
@config_option
def doctor(config_path: Path | None) -> None:
    """Check camera, model, GPIO, display, config, data directory and disk.

    Exits 1 when something blocks a session; warnings (e.g. no camera but the demo clip
    can play) exit 0.
    """
    from kiosk.doctor.checks import exit_code, format_table, run_checks

    results = run_checks(config_path)
    click.echo(format_table(results))
    raise SystemExit(exit_code(results))
