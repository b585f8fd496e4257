"""Station database copies around a version switch: online backup, schema version, restore.

Standard library only, on purpose: systemd/update.sh runs this file with the system
``python3`` (``python3 kiosk/deploy/dbswitch.py backup SRC DEST``), so it works for any
release, even one whose own code cannot open the database.

A copy is made with SQLite's online backup API, never ``cp``: a copy of the file alone can
miss what is still in the ``-wal`` file, or catch a page half-written by a running kiosk.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

#: The schema version of a database file: SQLite's ``PRAGMA user_version``.
VERSION_SQL = "PRAGMA user_version"


def schema_version(db: Path) -> int:
    """The schema version of the database file at ``db`` (opened read-only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(conn.execute(VERSION_SQL).fetchone()[0])
    finally:
        conn.close()


def copy_database(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` with the online backup API (through ``dest``.part, renamed).

    The copy is complete and consistent even while another process writes ``src``; an
    existing ``dest`` is replaced only once the copy is whole.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(part)
        try:
            source.backup(target)
            # a single file: the copy must not need a -wal beside it
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()
    os.replace(part, dest)


def set_aside(db: Path, tag: str) -> Path | None:
    """Move ``db`` (and its -wal/-shm) to ``db``.TAG-<time>; returns the new name, or None."""
    if not db.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = db.with_name(f"{db.name}.{tag}-{stamp}")
    # the -wal holds committed rows not yet in the main file: it moves with it
    for suffix in ("-wal", "-shm"):
        extra = db.with_name(db.name + suffix)
        if extra.exists():
            os.replace(extra, aside.with_name(aside.name + suffix))
    os.replace(db, aside)
    return aside


def restore(backup: Path, db: Path) -> Path | None:
    """Put ``backup`` back as ``db``; the current ``db`` is kept aside (returned), not lost."""
    if not backup.is_file():
        raise FileNotFoundError(f"no backup {backup}")
    part = db.with_name(db.name + ".restore")
    copy_database(backup, part)
    aside = set_aside(db, "rolled-back")
    os.replace(part, db)
    return aside


def main(argv: list[str] | None = None) -> int:
    """``backup SRC DEST`` | ``version DB`` | ``restore BACKUP DB`` | ``restore-if-newer``."""
    parser = argparse.ArgumentParser(prog="dbswitch", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("backup", help="online backup of SRC into DEST (no SRC: nothing to do)")
    p.add_argument("src", type=Path)
    p.add_argument("dest", type=Path)
    p = sub.add_parser("version", help="print the schema version of DB")
    p.add_argument("db", type=Path)
    p = sub.add_parser("restore", help="put BACKUP back as DB (DB kept aside)")
    p.add_argument("backup", type=Path)
    p.add_argument("db", type=Path)
    p = sub.add_parser(
        "restore-if-newer", help="restore BACKUP when DB's schema is newer than VERSION"
    )
    p.add_argument("backup", type=Path)
    p.add_argument("db", type=Path)
    p.add_argument("version", type=int, help="the newest schema the release rolled back to reads")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (OSError, sqlite3.Error) as exc:
        print(f"dbswitch: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "backup":
        if not args.src.is_file():
            print(f"no database at {args.src} yet: nothing to back up")
            return 0
        args.dest.parent.mkdir(parents=True, exist_ok=True)
        copy_database(args.src, args.dest)
        print(f"database backed up: {args.dest} (schema {schema_version(args.dest)})")
        return 0
    if args.command == "version":
        print(schema_version(args.db))
        return 0
    if args.command == "restore-if-newer":
        if not args.db.is_file():
            print(f"no database at {args.db}: nothing to restore")
            return 0
        current = schema_version(args.db)
        if current <= args.version:
            print(
                f"database schema {current} is readable by the release (up to {args.version}): kept"
            )
            return 0
        if not args.backup.is_file():
            print(
                f"dbswitch: database schema {current} is newer than the release reads "
                f"({args.version}) and there is no backup {args.backup}",
                file=sys.stderr,
            )
            return 1
    aside = restore(args.backup, args.db)
    print(
        f"database restored from {args.backup} (schema {schema_version(args.db)})"
        + (f"; the newer one is kept as {aside}" if aside else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
