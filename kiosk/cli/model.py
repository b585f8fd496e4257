"""``backstep model``: fetch the pose model into the cache and show where it is."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.options import config_option

if TYPE_CHECKING:
    from vision.settings import ModelConfig

logger = logging.getLogger(__name__)

_SOURCES = {
    "config": "model.path in the config",
    "cache": "the user cache",
    "download": "the official MediaPipe download",
    "offline-build": "an offline build from the mediapipe 0.10.21 wheel",
}


def _model_config(config_path: Path | None) -> ModelConfig:
    """The [model] section of the configuration, with errors as one-line click messages."""
    from kiosk.config.loader import load_config

    try:
        return load_config(config_path).model
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read the configuration: {exc}") from exc


@click.group()
def model() -> None:
    """Provision and inspect the pose model (.task file)."""


@model.command()
@click.option(
    "--variant",
    type=click.Choice(["lite", "full", "heavy"]),
    default=None,
    help="Model variant (default: model.variant in the config). Lite and heavy need the "
    "official download; only full can be built from PyPI or offline.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Use only files on this machine: the cached model, or a mediapipe 0.10.21 wheel "
    "copied into $BACKSTEP_CACHE_DIR/wheels. Nothing is downloaded.",
)
@click.option(
    "--pypi-only",
    is_flag=True,
    help="Skip the official download (storage.googleapis.com); build the full model from "
    "the mediapipe wheel on PyPI.",
)
@config_option
def fetch(variant: str | None, offline: bool, pypi_only: bool, config_path: Path | None) -> None:
    """Make sure a verified model is available; print its path and where it came from.

    The cache is $BACKSTEP_CACHE_DIR (default ~/.cache/backstep; /var/cache/backstep under
    systemd). Exit 1 when the variant asked for cannot be had.
    """
    from vision.errors import ModelError
    from vision.pose.model import resolve_model

    cfg = _model_config(config_path)
    if variant is not None:
        cfg = cfg.model_copy(update={"variant": variant})
    try:
        resolved = resolve_model(cfg, offline=offline, pypi_only=pypi_only)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    if resolved.variant is not None and resolved.variant != cfg.variant:
        # The kiosk falls back to full; a fetch that was asked for another variant must not
        # pretend it got it.
        raise click.ClickException(
            f"pose_landmarker_{cfg.variant}.task was not fetched: {resolved.note or ''} "
            f"(the full model is ready at {resolved.path})"
        )
    click.echo(resolved.path)
    what = f" ({resolved.variant})" if resolved.variant else ""
    click.echo(f"from {_SOURCES[resolved.source]}{what}")
    if resolved.note:
        click.echo(f"warning: {resolved.note}", err=True)


@model.command()
@config_option
def info(config_path: Path | None) -> None:
    """Show the model in use: path, variant, size, sha256, source, verified."""
    from vision.errors import ModelError
    from vision.pose.model import describe_model, find_model

    cfg = _model_config(config_path)
    try:
        resolved = find_model(cfg)
        details = describe_model(resolved.path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    source = details.source
    if resolved.source == "config":
        source = f"{_SOURCES['config']}; {source}"
    click.echo(f"path:     {details.path}")
    click.echo(f"variant:  {details.variant or 'unknown'}")
    click.echo(f"size:     {details.size} bytes ({details.size / 1e6:.1f} MB)")
    click.echo(f"sha256:   {details.sha256}")
    click.echo(f"source:   {source}")
    click.echo(f"verified: {'yes' if details.verified else 'no'}")
    if resolved.note:
        click.echo(f"warning: {resolved.note}", err=True)


@model.command()
@config_option
def path(config_path: Path | None) -> None:
    """Print only the model's path (exit 1 with the reason when there is none)."""
    from vision.errors import ModelError
    from vision.pose.model import find_model

    cfg = _model_config(config_path)
    try:
        resolved = find_model(cfg)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(resolved.path)
    if resolved.note:
        click.echo(f"warning: {resolved.note}", err=True)
