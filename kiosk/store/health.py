"""Storage health for the doctor and the kiosk: checks as text, and a never-raising wrapper."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TypeVar

from kiosk.config.schema import StorageConfig
from kiosk.errors import StorageError
from kiosk.store.database import DB_NAME, DEFAULT_TIMEOUT_S, Store, explain, resolve_data_dir

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
        return store.check() + _check_disk(directory)


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
    return store
