"""``backstep members``: import, list, add and forget members."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import click

from kiosk.cli.options import config_option
from kiosk.config.loader import load_config
from kiosk.errors import BackstepError, ImportFileError
from kiosk.store.database import Store

logger = logging.getLogger(__name__)


def open_store(config_path: Path | None) -> Store:
    """Open the database of the config the lookup order finds; errors become click errors."""
    try:
        cfg = load_config(config_path)
        return Store.open(cfg.storage)
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def members() -> None:
    """Manage the members who may check in at this station."""


@members.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def import_(csv_file: Path, config_path: Path | None) -> None:
    """Add or update members from CSV_FILE (columns: id, name, expires[, level]).

    The whole file is checked first: any bad line rejects it, and every bad line is listed.
    """
    from kiosk.members.roster import import_members_csv

    with open_store(config_path) as store:
        try:
            added, updated = import_members_csv(store, csv_file)
        except ImportFileError as exc:
            raise click.ClickException(f"{csv_file}: {exc}") from exc
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{added} added, {updated} updated")


@members.command("list")
@click.option("--expired", is_flag=True, help="Only members whose membership has expired.")
@config_option
def list_(expired: bool, config_path: Path | None) -> None:
    """List members: id, name, expiry, level."""
    today = dt.date.today()
    with open_store(config_path) as store:
        try:
            rows = store.list_members()
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    for m in rows:
        if expired and not m.is_expired(today):
            continue
        state = " (expired)" if m.is_expired(today) else ""
        level = "" if m.level is None else str(m.level)
        click.echo(f"{m.id}\t{m.name}\t{m.expires.isoformat()}{state}\t{level}")


@members.command("add")
@click.argument("member_id")
@click.argument("name")
@click.option("--expires", required=True, help="Last valid day, YYYY-MM-DD.")
@click.option("--level", type=int, default=None, help="Starting level (1 = beginner).")
@config_option
def add(
    member_id: str, name: str, expires: str, level: int | None, config_path: Path | None
) -> None:
    """Add a member (or update one with this ID)."""
    from kiosk.members.roster import validate_member

    member, problems = validate_member(member_id, name, expires, level)
    if member is None:
        raise click.ClickException("; ".join(problems))
    with open_store(config_path) as store:
        try:
            added, _ = store.upsert_members([member])
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{'added' if added else 'updated'} {member.id}")


@members.command("forget")
@click.argument("member_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@config_option
def forget(member_id: str, yes: bool, config_path: Path | None) -> None:
    """Erase a member and ALL their data: check-ins, sessions, samples, events, baseline."""
    if not yes:
        click.confirm(f"Erase member {member_id} and all their data?", abort=True)
    with open_store(config_path) as store:
        try:
            report = store.erase_member(member_id)
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    if report is None:
        raise click.ClickException(f"no member with id {member_id!r}")
    click.echo(report.describe())
    if not report.verified:
        raise SystemExit(1)  # the rows are gone, but not yet their bytes: say so in the status
