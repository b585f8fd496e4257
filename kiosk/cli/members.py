"""``backstep members``: import, list, add and forget members."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import click

from kiosk.cli.fleet import ADMIN_URL_ENV, ADMIN_URL_HELP
from kiosk.cli.options import config_option
from kiosk.config.loader import load_config
from kiosk.config.schema import FleetConfig
from kiosk.errors import BackstepError
from kiosk.members.errors import ImportFileError
from kiosk.store.database import Member, Store

logger = logging.getLogger(__name__)


def open_store(config_path: Path | None) -> Store:
    """Open the database of the config the lookup order finds; errors become click errors."""
    try:
        cfg = load_config(config_path)
        return Store.open(cfg.storage)
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def fleet_config(config_path: Path | None) -> FleetConfig:
    """The config's [fleet] section (disabled when the config cannot be read)."""
    try:
        return load_config(config_path).fleet
    except (BackstepError, OSError, ValueError):
        return FleetConfig()


admin_url_option = click.option(
    "--admin-url", envvar=ADMIN_URL_ENV, default=None, help=ADMIN_URL_HELP
)


def write_central(fleet: FleetConfig, admin_url: str | None, members: list[Member]) -> str:
    """With a fleet: add/update members on the server first; a staff line saying so."""
    if not fleet.enabled:
        return ""
    from kiosk.fleet.central import connect
    from kiosk.fleet.directory import import_central

    try:
        with connect(fleet, url=admin_url) as conn:
            added, updated = import_central(conn, members)
    except BackstepError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # psycopg: no privilege (a station role), constraint ...
        raise click.ClickException(
            f"fleet server refused the change: {str(exc).splitlines()[0]} "
            f"(use --admin-url with a backstep_manager account)"
        ) from exc
    return f"server: {added} added, {updated} updated; "


@click.group()
def members() -> None:
    """Manage the members who may check in at this station."""


@members.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@admin_url_option
def import_(csv_file: Path, config_path: Path | None, admin_url: str | None) -> None:
    """Add or update members from CSV_FILE (columns: id, name, expires[, level]).

    The whole file is checked first: any bad line rejects it, and every bad line is listed.
    With a [fleet] database the members go to the server (every station gets them at its
    next sync) and to this station.
    """
    from kiosk.cli.progress import counted
    from kiosk.members.roster import read_members_csv

    try:
        rows = read_members_csv(csv_file)
    except ImportFileError as exc:
        raise click.ClickException(f"{csv_file}: {exc}") from exc
    central = write_central(fleet_config(config_path), admin_url, rows)
    with open_store(config_path) as store, counted("members import", unit="member") as progress:
        try:
            added, updated = store.upsert_members(rows, tick=progress(len(rows)))
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{central}{added} added, {updated} updated")


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
@click.option(
    "--birth-year",
    default=None,
    help="Optional: the year the member was born (heart-rate zones need an age).",
)
@config_option
@admin_url_option
def add(
    member_id: str,
    name: str,
    expires: str,
    level: int | None,
    birth_year: str | None,
    config_path: Path | None,
    admin_url: str | None,
) -> None:
    """Add a member (or update one with this ID); with a fleet, on the server too."""
    from kiosk.members.roster import validate_member

    member, problems = validate_member(member_id, name, expires, level, birth_year)
    if member is None:
        raise click.ClickException("; ".join(problems))
    write_central(fleet_config(config_path), admin_url, [member])
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
@admin_url_option
def forget(member_id: str, yes: bool, config_path: Path | None, admin_url: str | None) -> None:
    """Erase a member and ALL their data: check-ins, sessions, samples, events, baseline.

    With a [fleet] database: on the server now, and on every other station at its next
    sync (an offline station erases them when it comes back, before uploading anything).
    """
    if not yes:
        click.confirm(f"Erase member {member_id} and all their data?", abort=True)
    fleet = fleet_config(config_path)
    on_server = False
    if fleet.enabled:
        from kiosk.fleet.central import connect
        from kiosk.fleet.directory import forget_central

        try:
            with connect(fleet, url=admin_url) as conn:
                on_server = forget_central(conn, member_id)
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            raise click.ClickException(
                f"fleet server refused: {str(exc).splitlines()[0]} "
                f"(use --admin-url with a backstep_manager account)"
            ) from exc
    with open_store(config_path) as store:
        try:
            report = store.erase_member(member_id)
        except BackstepError as exc:
            raise click.ClickException(str(exc)) from exc
    if report is None and not on_server:
        raise click.ClickException(f"no member with id {member_id!r}")
    if fleet.enabled:
        click.echo(f"forgot {member_id} on the server (other stations at their next sync)")
    if report is not None:
        click.echo(report.describe())
        if not report.verified:
            raise SystemExit(1)  # the rows are gone, but not yet their bytes: say so in the status
