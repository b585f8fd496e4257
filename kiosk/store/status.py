"""The kiosk's recording status for `backstep doctor`: kept current, written on a full disk."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: The running kiosk's recording status, beside the database.
STATUS_NAME = "kiosk-status.json"
#: While the status cannot be written, it is retried this often.
RETRY_S = 5.0


def fallback_path(data_dir: Path) -> Path:
    """Where the status goes when the data folder's disk is full (a RAM-backed folder).

    systemd's ``RUNTIME_DIRECTORY`` (/run/backstep) when set, else the temp folder; named
    after the data folder so two kiosks on one machine do not share it.
    """
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    base = Path(runtime) if runtime else Path(tempfile.gettempdir()) / f"backstep-{os.getuid()}"
    tag = zlib.crc32(str(Path(data_dir).resolve()).encode()) & 0xFFFFFFFF
    return base / f"kiosk-status-{tag:08x}.json"


def _write(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def read_status(data_dir: Path) -> dict[str, Any] | None:
    """The newest status the kiosk wrote (beside the database or in the fallback), or None."""
    found: list[dict[str, Any]] = []
    for path in (Path(data_dir) / STATUS_NAME, fallback_path(data_dir)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found.append(data)
    if not found:
        return None
    return max(found, key=lambda d: float(d.get("at", 0.0)))


class StatusKeeper:
    """Holds the kiosk's recording status and keeps the file current (thread-safe).

    A status that cannot be written beside the database (a full disk) goes to the fallback
    at once and is retried beside the database every ``RETRY_S`` until it lands, so the
    doctor never reads an old "recording OK" while the kiosk is failing, and sees the
    recovery once saving resumes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data_dir: Path | None = None
        self._payload: dict[str, Any] | None = None
        self._thread: WorkerThread | None = None

    def update(self, data_dir: Path, failures: int, last_error: str | None, saving: bool) -> None:
        """Record the status now (any thread but the UI loop's: it writes a small file)."""
        with self._lock:
            self._data_dir = Path(data_dir)
            self._payload = {
                "pid": os.getpid(),
                "at": time.time(),
                "recording_failures": failures,
                "last_error": last_error,
                "saving": saving,
            }
        if self._flush():
            return
        with self._lock:  # retried beside the database until there is room
            if self._thread is None or not self._thread.is_alive:
                self._thread = WorkerThread(self._retry, "backstep-status")
                self._thread.start()

    def saving_resumed(self) -> None:
        """Writing works again: the status says so (the failure count stays)."""
        with self._lock:
            if self._payload is None or self._data_dir is None or self._payload["saving"]:
                return
            data_dir, payload = self._data_dir, dict(self._payload)
        self.update(data_dir, payload["recording_failures"], payload["last_error"], True)

    def _flush(self) -> bool:
        """Write the status beside the database (True) or, failing that, to the fallback."""
        with self._lock:
            data_dir, payload = self._data_dir, self._payload
        if data_dir is None or payload is None:
            return True
        try:
            _write(data_dir / STATUS_NAME, payload)
            return True
        except OSError as exc:
            logger.info("cannot write %s: %s; writing the fallback", STATUS_NAME, exc)
        try:
            _write(fallback_path(data_dir), payload)
        except OSError as exc:
            logger.warning("cannot write the kiosk status anywhere: %s", exc)
        return False

    def _retry(self) -> None:
        while True:
            time.sleep(RETRY_S)
            if self._flush():
                return


#: The process's one keeper (the app and the session writers report to it).
KEEPER = StatusKeeper()
