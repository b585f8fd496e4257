"""``backstep restore [BACKUP]``: put a daily backup back in place of the station database."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kiosk.cli.options import config_option


@click.command()
@config_option
@click.argument("backup", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--list", "list_only", is_flag=True, help="List the backups, newest first.")
def restore(config_path: Path | None, backup: Path | None, list_only: bool) -> None:
    """Restore BACKUP (default: the newest in <data dir>/backups); refuses while a kiosk runs.

    The current database is moved aside as backstep.sqlite3.before-restore-<time>.
    """
    from kiosk.app.lockdown import EXIT_ALREADY_RUNNING, AlreadyRunningError, InstanceLock
    from kiosk.config.loader import load_config
    from kiosk.store.backup import backup_folder, list_backups, restore_backup
    from kiosk.store.connection import database_path
    from kiosk.store.errors import StorageError

    cfg = load_config(config_path)
    db = database_path(cfg.storage)
    backups = list_backups(backup_folder(db))
    if list_only:
        for path in backups:
            click.echo(f"{path}  {time.ctime(path.stat().st_mtime)}")
        return
    chosen = backup or (backups[0] if backups else None)
    if chosen is None:
        raise click.ClickException(f"no backups in {backup_folder(db)}")
    lock = InstanceLock(db.parent)
    try:
        lock.acquire()  # the kiosk holds it while it runs: never swap the file under it
    except AlreadyRunningError as exc:
        click.echo(f"backstep restore: {exc}", err=True)
        sys.exit(EXIT_ALREADY_RUNNING)
    try:
        aside = restore_backup(db, chosen, time.time())
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        lock.release()
    click.echo(f"restored {chosen} to {db}")
    if aside is not None:
        click.echo(f"the database it replaced is kept as {aside}")
