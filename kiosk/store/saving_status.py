"""The running kiosk's recording-failure count, beside the database for the doctor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.store.status import KEEPER, STATUS_NAME, read_status

__all__ = ["STATUS_NAME", "read_saving_status", "write_saving_status"]


def write_saving_status(data_dir: Path, failures: int, last_error: str | None) -> None:
    """Record the failure count for the doctor (kept current; see `kiosk.store.status`)."""
    KEEPER.update(data_dir, failures, last_error, saving=False)


def read_saving_status(data_dir: Path) -> dict[str, Any] | None:
    """What the kiosk last recorded (beside the database or in the full-disk fallback)."""
    return read_status(data_dir)
