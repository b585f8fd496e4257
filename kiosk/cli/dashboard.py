"""``backstep dashboard``: the trainers' web dashboard on the gym's LAN."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.options import config_option
from kiosk.config.loader import load_config
from kiosk.errors import BackstepError


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: dashboard.host).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Default: dashboard.port."
)
@config_option
def dashboard(host: str | None, port: int | None, config_path: Path | None) -> None:
    """Serve the trainers' dashboard (reads the station database read-only)."""
    from dashboard.server import serve

    try:
        cfg = load_config(config_path)
        click.echo(
            f"dashboard on http://{host or cfg.dashboard.host}:{port or cfg.dashboard.port}/",
            err=True,
        )
        serve(cfg, host or cfg.dashboard.host, port or cfg.dashboard.port)
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
