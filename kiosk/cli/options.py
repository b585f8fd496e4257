"""Command-line options shared by several ``backstep`` subcommands."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.config.loader import LOOKUP_ORDER_HELP

#: ``--config FILE``: every subcommand that reads the staff config finds it the same way.
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=LOOKUP_ORDER_HELP,
)
