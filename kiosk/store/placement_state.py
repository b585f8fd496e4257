"""The last placement check of this station, kept in its data folder for the session records."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

#: The file in the data folder (verdicts only: no picture, no landmark).
PLACEMENT_FILE = "placement.json"


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    """The verdict of each placement line and when the check ran (Unix seconds)."""

    checked_at: float
    verdicts: dict[str, str]

    def event_data(self) -> dict[str, object]:
        """What a session's ``placement`` event keeps: the verdicts in force and their age."""
        return {"checked_at": round(self.checked_at), **self.verdicts}


def save_placement(data_dir: Path, verdicts: dict[str, str], now: float | None = None) -> Path:
    """Write the verdicts beside the database (atomically: a power cut leaves the old file)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / PLACEMENT_FILE
    text = json.dumps({"checked_at": time.time() if now is None else now, "verdicts": verdicts})
    fd, tmp = tempfile.mkstemp(prefix=".placement.", suffix=".part", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def load_placement(data_dir: Path) -> PlacementRecord | None:
    """The last check's verdicts, or None when none ran (or the file is unreadable)."""
    path = data_dir / PLACEMENT_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        verdicts = {str(k): str(v) for k, v in dict(raw["verdicts"]).items()}
        return PlacementRecord(float(raw["checked_at"]), verdicts)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("placement results in %s not read: %s", path, exc)
        return None
