"""``backstep export``: session history as CSV or JSON for trainers."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from kiosk.cli.members import open_store
from kiosk.cli.options import config_option
from kiosk.errors import BackstepError

logger = logging.getLogger(__name__)


@click.command()
@click.option("--member", "member_id", default=None, help="Only this member's sessions.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only sessions started on or after this day (YYYY-MM-DD, local time).",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--samples",
    is_flag=True,
    help="Also export per-second samples (JSON: in each session; CSV: their own "
    "NAME.samples.csv beside --out).",
)
@config_option
def export(
    member_id: str | None,
    since: dt.datetime | None,
    fmt: str,
    out: Path | None,
    samples: bool,
    config_path: Path | None,
) -> None:
    """Export finished sessions: CSV has one row per session with flat columns (member id and
    name, date, backward minutes, % upright, lean vs baseline, core score, cadence, incline,
    outcome); JSON has each session's summary. Per-second samples only with --samples."""
    from kiosk.cli.progress import counted
    from kiosk.store.export import export_sessions

    if out is not None and not out.parent.is_dir():
        raise click.ClickException(f"cannot write {out}: no folder {out.parent}")
    with open_store(config_path) as store, counted("export", unit="session") as progress:
        if member_id is not None and store.get_member(member_id) is None:
            # an empty file for a mistyped id would read as "this member never trained"
            raise click.ClickException(f"no such member: {member_id}")
        try:
            written = export_sessions(
                store,
                "json" if fmt == "json" else "csv",
                out,
                member_id=member_id,
                since=since.date() if since else None,
                samples=samples,
                stdout=sys.stdout,
                progress=progress,
            )
        except (BackstepError, ValueError) as exc:  # StorageError is an OSError too: first
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            # the message names the user's file, never the .part file written beside it
            why = exc.strerror or str(exc)
            raise click.ClickException(f"cannot write {out}: {why}") from exc
    for path in written:
        click.echo(f"wrote {path}", err=True)
