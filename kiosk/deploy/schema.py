"""The doctor's line for a database a newer Backstep migrated before being rolled back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.deploy.dbswitch import schema_version

#: Where systemd/update.sh keeps the copies it takes before each switch (in the data dir).
BACKUP_DIR = "backups"


def backups(db: Path) -> list[Path]:
    """The pre-switch copies update.sh kept beside ``db``, newest last."""
    return sorted((db.parent / BACKUP_DIR).glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)


def newer_schema_problem(db: Path) -> tuple[str, str] | None:
    """(detail, fix) when ``db`` has a schema newer than this code reads, else None.

    The usual cause on a station: an update migrated the database, then the code was rolled
    back by hand (or by an old update.sh that kept no copy). Write access or disk space is
    not the fix: the data must go back to a copy this version reads, or the code forward.
    """
    from kiosk.store.migrations import LATEST_VERSION

    if not db.is_file():
        return None
    try:
        version = schema_version(db)
    except sqlite3.Error:
        return None  # a damaged file is the storage check's to explain
    if version <= LATEST_VERSION:
        return None
    detail = (
        f"database schema version {version} is newer than this Backstep reads "
        f"({LATEST_VERSION}): a newer version migrated {db}, then the code was rolled back"
    )
    readable = []
    for copy in reversed(backups(db)):
        try:
            if schema_version(copy) <= LATEST_VERSION:
                readable.append(copy)
        except sqlite3.Error:
            continue
    if readable:
        fix = (
            f"restore the copy taken before that update: `sudo systemd/update.sh --restore-db "
            f"{readable[0]}` (the newer file is kept aside), or update to the newer version again"
        )
    else:
        fix = (
            "update to the newer version again (`sudo systemd/update.sh` from its checkout); "
            f"no copy this version reads is in {db.parent / BACKUP_DIR}"
        )
    return detail, fix
