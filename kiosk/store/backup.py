"""Daily online backups of the station database (SQLite's backup API) and bringing one back."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from kiosk.store.errors import StorageError
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Folder under the data folder holding the backups.
BACKUP_DIR = "backups"
#: A new backup once the newest is this old.
BACKUP_EVERY_S = 24 * 3600.0
#: How often the timer looks whether one is due (a station runs for weeks).
CHECK_EVERY_S = 600.0
_PREFIX, _SUFFIX = "backstep-", ".sqlite3"


def backup_folder(db_path: Path) -> Path:
    """Where the backups of ``db_path`` are kept."""
    return db_path.parent / BACKUP_DIR


def list_backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, newest first (the names sort by time)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith(_PREFIX) and p.suffix == _SUFFIX]
    return sorted(found, key=lambda p: p.name, reverse=True)


def backup_now(db_path: Path, keep: int, now: float) -> Path:
    """Copy the live database into the backup folder (consistent while it is written); prune.

    Raises :class:`StorageError` (the disk full, the file unreadable).
    """
    folder = backup_folder(db_path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = folder / f"{_PREFIX}{stamp}{_SUFFIX}"
    tmp = target.with_name(target.name + ".tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5.0)
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        os.chmod(tmp, 0o600)  # members' names and sessions
        os.replace(tmp, target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"backup of {db_path} failed: {exc}") from exc
    for old in list_backups(folder)[max(keep, 1) :]:
        old.unlink(missing_ok=True)
    logger.info("database backed up to %s", target)
    return target


def backup_due(db_path: Path, now: float) -> bool:
    """True when the newest backup is a day old (or there is none)."""
    backups = list_backups(backup_folder(db_path))
    return not backups or now - backups[0].stat().st_mtime >= BACKUP_EVERY_S


class BackupTimer:
    """Takes a backup when one is due, checking every ``CHECK_EVERY_S``, in its own thread."""

    def __init__(self, db_path: Path, keep: int, check_every_s: float = CHECK_EVERY_S) -> None:
        self.db_path = db_path
        self.keep = keep
        self._every = check_every_s
        self._worker = WorkerThread(self._run, "backstep-backup", join_timeout_s=5.0)
        self._stop = self._worker.stopping

    def start(self) -> None:
        """Start (the first check runs at once)."""
        self._worker.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            try:
                if self.db_path.is_file() and backup_due(self.db_path, now):
                    backup_now(self.db_path, self.keep, now)
            except StorageError as exc:
                logger.error("%s", exc)
            self._stop.wait(self._every)

    def stop(self) -> None:
        """Stop (idempotent)."""
        self._worker.stop()


def restore_backup(db_path: Path, backup: Path, now: float) -> Path | None:
    """Put ``backup`` in place of the database; the current file is moved aside (returned).

    The caller holds the instance lock (no kiosk runs). Raises :class:`StorageError` when
    the backup is not a sound database.
    """
    try:
        conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"{backup} is not a database: {exc}") from exc
    if check != "ok":
        raise StorageError(f"{backup} failed its integrity check: {check}")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    aside: Path | None = None
    if db_path.exists():
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + suffix)
        if part.exists() and aside is not None:
            part.replace(aside.with_name(aside.name + suffix))
    tmp = db_path.with_name(db_path.name + ".restoring")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, db_path)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"restoring {backup} failed: {exc}") from exc
    return aside
