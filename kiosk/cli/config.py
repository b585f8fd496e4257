"""``backstep config``: check a staff configuration file, show the settings in effect."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kiosk.cli.options import config_option

logger = logging.getLogger(__name__)


@click.group()
def config() -> None:
    """Check and show the staff configuration (backstep.toml)."""


@config.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@config_option
def check(file: Path | None, config_path: Path | None) -> None:
    """Validate FILE or --config FILE (default: the file the kiosk would use).

    Exit 1 and list every error; each error line reads FILE:LINE: key = value: problem
    (allowed: ...).
    """
    from kiosk.config.loader import ConfigFileError, find_config, read_config_file

    if file is not None and config_path is not None and file != config_path:
        raise click.UsageError("give the file once: as FILE or as --config FILE")
    file = file if file is not None else config_path
    try:
        path, source = find_config(file)
    except ConfigFileError as exc:  # pragma: no cover - find_config does not raise today
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc
    try:
        read_config_file(path)
    except ConfigFileError as exc:
        for issue in exc.issues:
            click.echo(issue.format(path), err=True)
        count = len(exc.issues)
        click.echo(f"{path}: {count} error{'s' if count != 1 else ''}", err=True)
        raise SystemExit(1) from exc
    suffix = "" if file is not None else f" ({source})"
    click.echo(f"OK: {path}{suffix}")


@config.command()
@config_option
def show(config_path: Path | None) -> None:
    """Print the settings in effect as TOML, headed by the file they come from.

    Lookup order: --config, $BACKSTEP_CONFIG, /etc/backstep/backstep.toml, the user config
    directory (~/.config/backstep/backstep.toml), the packaged default.
    """
    from kiosk.config.loader import ConfigFileError, dump_toml, load_config_with_source

    try:
        loaded = load_config_with_source(config_path)
    except ConfigFileError as exc:
        for issue in exc.issues:
            click.echo(issue.format(exc.path), err=True)
        raise SystemExit(1) from exc
    click.echo(f"# Settings in effect, from {loaded.path} ({loaded.source}), over the defaults.")
    from kiosk.store.connection import data_dir_source, resolve_data_dir

    storage = loaded.config.storage
    click.echo(f"# Data folder: {resolve_data_dir(storage)} (from {data_dir_source(storage)})")
    click.echo(dump_toml(loaded.config), nl=False)
