"""Storage health for the doctor and the kiosk: checks as text, and a never-raising wrapper."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TypeVar

from kiosk.config.schema import StorageConfig
from kiosk.store.database import DB_NAME, DEFAULT_TIMEOUT_S, Store, explain, resolve_data_dir
from kiosk.store.errors import StorageError

logger = logging.getLogger(__name__)

#: Below this much free space the doctor warns: a session writes ~100 kB per hour.
MIN_FREE_BYTES = 50 * 1024 * 1024

T = TypeVar("T")


def _check_disk(directory: Path) -> list[str]:
    try:
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        return [f"cannot read free space of {directory}: {exc}"]
    if free < MIN_FREE_BYTES:
        return [
            f"only {free // (1024 * 1024)} MB free on the disk of {directory}; "
            "sessions may stop being saved"
        ]
    return []


def check_storage(cfg: StorageConfig, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[str]:
    """Everything wrong with the configured data directory and database, as text lines.

    For ``backstep doctor`` and the kiosk's start: never raises.
    """
    directory = resolve_data_dir(cfg)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [f"cannot create data directory {directory}: {exc.strerror or exc}"]
    probe = directory / ".backstep-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return [explain(exc, directory / DB_NAME)]
    try:
        store = Store(directory / DB_NAME, timeout_s=timeout_s)
    except StorageError as exc:
        return [str(exc)]
    with store:
        problems = store.check() + _check_disk(directory)
    import time

    from kiosk.store.connection import recent_storage_events

    # what the kiosk met (a deleted database recreated): a week, then it is history
    return problems + recent_storage_events(directory, 7 * 86400.0, time.time())


def _damage(path: Path, timeout_s: float) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong with the file at ``path`` (None = sound).

    A locked or unreadable file is not damage: that raises :class:`StorageError` (the
    kiosk retries later); only a file SQLite itself calls corrupt is moved aside.
    """
    import sqlite3

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout_s)
    except sqlite3.Error as exc:
        raise StorageError(explain(exc, path)) from exc
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return str(exc)
        raise StorageError(explain(exc, path)) from exc
    finally:
        conn.close()
    if [r[0] for r in rows] == ["ok"]:
        return None
    return "; ".join(str(r[0]) for r in rows[:3])


def move_aside(path: Path, wall: float) -> Path:
    """Rename a damaged database (and its -wal/-shm files) to ``NAME.damaged-YYYYmmdd-HHMMSS``."""
    import time as _time

    stamp = _time.strftime("%Y%m%d-%H%M%S", _time.localtime(wall))
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.replace(target.with_name(target.name + suffix))
    return target


def open_checked_store(cfg: StorageConfig, now: float) -> tuple[Store, str | None]:
    """`open_kiosk_store` after an integrity check; a damaged file is moved aside first.

    Returns the store and, when a file was moved aside, the staff message saying so.
    Raises :class:`StorageError` (locked, read-only, full ...): the kiosk retries.
    """
    path = resolve_data_dir(cfg) / DB_NAME
    note = None
    damage = _damage(path, DEFAULT_TIMEOUT_S)
    if damage is not None:
        moved = move_aside(path, now)
        note = (
            f"the database failed its integrity check ({damage}); it was moved to "
            f"{moved.name} and a new one started (restore a backup if you have one)"
        )
        logger.error("%s", note)
    return open_kiosk_store(cfg, now), note


def open_kiosk_store(cfg: StorageConfig, now: float) -> Store:
    """Open the database for the kiosk: migrate, close interrupted sessions, apply retention.

    Raises :class:`StorageError` with a clear message; the kiosk then coaches without saving.
    """
    store = Store.open(cfg)
    try:
        store.recover_interrupted()
        store.apply_retention(now, cfg.retention_days)
    except StorageError:
        store.close()
        raise
    if cfg.backups_keep > 0:
        from kiosk.store.backup import BackupTimer

        timer = BackupTimer(store.path, cfg.backups_keep)
        store.call_on_close(timer.stop)
        timer.start()
    return store
