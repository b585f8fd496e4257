"""``backstep fleet``: set up the central database, show the sync status, sync now."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.cli.options import config_option
from kiosk.config.loader import load_config
from kiosk.errors import BackstepError

if TYPE_CHECKING:
    from kiosk.store.database import Store

logger = logging.getLogger(__name__)

#: Where ``fleet init`` and ``members`` take the manager/owner connection from.
ADMIN_URL_ENV = "BACKSTEP_FLEET_ADMIN_URL"

ADMIN_URL_HELP = (
    f"Owner/manager libpq URL (env {ADMIN_URL_ENV}); its password from PGPASSWORD or "
    "~/.pgpass, never the staff file."
)


@click.group()
def fleet() -> None:
    """Several stations sharing one PostgreSQL (docs/fleet.md)."""


@fleet.command()
@click.option("--admin-url", envvar=ADMIN_URL_ENV, default=None, help=ADMIN_URL_HELP)
@click.option("--station", "stations", multiple=True, help="Create a login role for this station.")
@click.option("--rotate", is_flag=True, help="Give existing station roles a new password.")
@click.option(
    "--password-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each new password to DIR/<station>.password (mode 0600) instead of printing it.",
)
@click.option(
    "--print-sql", is_flag=True, help="Only print the grants (for a DBA), change nothing."
)
def init(
    admin_url: str | None, stations: tuple[str, ...], rotate: bool, password_dir: Path | None,
    print_sql: bool,
) -> None:  # fmt: skip
    """Create or upgrade the central schema, the role groups and one login role per station.

    Run it as the database owner, e.g. ``--admin-url postgresql://postgres@gym-server/backstep``
    with PGPASSWORD set. Safe to run again: migrations and grants are idempotent.
    """
    from kiosk.config.schema import FleetConfig
    from kiosk.fleet.central import connect, migrate_central
    from kiosk.fleet.roles import GRANTS_SQL, apply_grants, ensure_station_role

    if print_sql:
        click.echo(GRANTS_SQL.strip())
        return
    if not admin_url:
        raise click.ClickException(f"--admin-url (or {ADMIN_URL_ENV}) is needed")
    try:
        with connect(FleetConfig(), url=admin_url) as conn:
            applied = migrate_central(conn)
            apply_grants(conn)
            logins = [ensure_station_role(conn, s, rotate=rotate) for s in stations]
    except BackstepError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # psycopg errors: privileges, missing database ...
        raise click.ClickException(f"fleet init: {str(exc).splitlines()[0]}") from exc
    click.echo(f"schema: {'migrated to ' + str(applied) if applied else 'up to date'}")
    for login in logins:
        if login.password is None:
            click.echo(f"{login.station_id}: role {login.role} exists (password unchanged)")
        elif password_dir is not None:
            password_dir.mkdir(parents=True, exist_ok=True)
            target = password_dir / f"{login.station_id}.password"
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(login.password + "\n")
            click.echo(f"{login.station_id}: role {login.role}, password in {target}")
        else:
            click.echo(f"{login.station_id}: role {login.role} password {login.password}")


@fleet.command()
@config_option
def status(config_path: Path | None) -> None:
    """Server reachable, last successful sync, rows waiting in the outbox (exit 1: unreachable)."""
    from kiosk.fleet.central import FleetError, connect
    from kiosk.fleet.sync import read_status
    from kiosk.store.database import Store

    try:
        cfg = load_config(config_path)
        store = Store.open(cfg.storage)
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    reachable: bool | None = None
    error: str | None = None
    if cfg.fleet.enabled:
        try:
            connect(cfg.fleet).close()
            reachable = True
        except FleetError as exc:
            reachable, error = False, str(exc)
    with store:
        state = read_status(store, cfg.fleet, reachable)
    for line in state.lines(time.time()):
        click.echo(line)
    if error:
        click.echo(f"now: {error}")
    raise SystemExit(1 if reachable is False else 0)


@fleet.command()
@config_option
def sync(config_path: Path | None) -> None:
    """Upload the outbox and pull the fleet's changes once, now (the kiosk does it by itself)."""
    from kiosk.fleet.sync import FleetSync
    from kiosk.store.database import Store

    try:
        cfg = load_config(config_path)
        if not cfg.fleet.enabled:
            raise click.ClickException("no [fleet] database in the config")
        with Store.open(cfg.storage) as store:
            worker = FleetSync(store, cfg.fleet, cfg.station.id)
            try:
                report = worker.sync_now()
            finally:
                worker.close()
            waiting = store.outbox_counts().total
    except BackstepError as exc:
        raise click.ClickException(str(exc)) from exc
    u = report.uploaded
    kept = f" ({u.baselines_not_newer} not applied: the server has a newer one)"
    click.echo(
        f"uploaded {u.sessions} sessions ({u.samples} samples, {u.events} events), "
        f"{u.checkins} check-ins, {u.baselines} baselines"
        f"{kept if u.baselines_not_newer else ''}; re-sent {u.resent_sessions}; "
        f"erased {len(report.forgotten)} forgotten member(s); {waiting} still waiting"
    )
    if report.relabelled:
        click.echo(
            f"{report.relabelled} earlier row(s) of this station now labelled {cfg.station.id}"
        )
    for row in report.set_aside:
        click.echo(f"set aside (refused by the server, kept here): {row.line()}")


@fleet.group("set-aside")
def set_aside_group() -> None:
    """Rows the server refused: kept in this station's database, not uploaded (list/retry/discard).

    See docs/fleet-security.md: fix the cause (station ID, member name, clock), then retry.
    """


def _open_store(config_path: Path | None) -> Store:
    from kiosk.store.database import Store

    try:
        return Store.open(load_config(config_path).storage)
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@set_aside_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the rows already discarded.")
@config_option
def set_aside_list(show_all: bool, config_path: Path | None) -> None:
    """Each set-aside row: kind, reference, the server's reason, when."""
    import datetime as dt

    from kiosk.fleet.setaside import set_aside_rows

    with _open_store(config_path) as store:
        rows = set_aside_rows(store, include_discarded=show_all)
    if not rows:
        click.echo("nothing set aside")
    for r in rows:
        when = dt.datetime.fromtimestamp(r.at).strftime("%Y-%m-%d %H:%M")
        state = "discarded" if r.discarded else "set aside"
        click.echo(f"{r.kind}\t{r.ref}\t{when}\t{state}\t{r.reason}")


@set_aside_group.command("retry")
@click.argument("refs", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every set-aside row.")
@config_option
def set_aside_retry(refs: tuple[str, ...], every: bool, config_path: Path | None) -> None:
    """Put rows (REFS: UUID, its first 8 characters or a member ID) back into the outbox."""
    from kiosk.fleet.setaside import retry

    if not refs and not every:
        raise click.ClickException("name the rows (see `backstep fleet set-aside list`) or --all")
    with _open_store(config_path) as store:
        done = retry(store, None if every else refs)
    click.echo(f"{len(done)} row(s) back in the outbox: the next sync uploads them")


@set_aside_group.command("discard")
@click.argument("refs", nargs=-1, required=True)
@config_option
def set_aside_discard(refs: tuple[str, ...], config_path: Path | None) -> None:
    """Stop reporting REFS; they stay in this station's database (nothing is deleted)."""
    from kiosk.fleet.setaside import discard

    with _open_store(config_path) as store:
        done = discard(store, refs)
    click.echo(f"{len(done)} row(s) discarded: kept here, never uploaded, no longer reported")
