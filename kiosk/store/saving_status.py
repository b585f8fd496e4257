"""The running kiosk's recording-failure count, in a file beside the database for the doctor."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: The running kiosk's recording-failure count, for `backstep doctor` (another process).
STATUS_NAME = "kiosk-status.json"


def write_saving_status(data_dir: Path, failures: int, last_error: str | None) -> None:
    """Record the failure count beside the database (best effort: the disk may be full)."""
    import json
    import os

    payload: dict[str, Any] = {"pid": os.getpid(), "at": time.time()}
    payload.update(recording_failures=failures, last_error=last_error)
    tmp = data_dir / (STATUS_NAME + ".tmp")
    try:
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        tmp.replace(data_dir / STATUS_NAME)
    except OSError as exc:
        logger.info("cannot write %s: %s", STATUS_NAME, exc)


def read_saving_status(data_dir: Path) -> dict[str, Any] | None:
    """What `write_saving_status` last wrote, or None."""
    import json

    try:
        data = json.loads((data_dir / STATUS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
