"""Reload the staff configuration on SIGHUP (`systemctl reload backstep`) or on staff request.

The signal handler only sets a flag; the UI loop calls `ConfigReloader.poll` once per frame,
which reads and validates the file in a background thread and hands back the outcome later,
so no file I/O runs in a signal handler or in the UI loop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from kiosk.config.loader import ConfigFileError, ConfigIssue, read_config_file
from kiosk.config.safe import remember_valid
from kiosk.config.schema import BackstepConfig
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Settings read once at start-up (devices opened, model loaded, database opened, check-in
#: service built): changing them needs a restart, and the staff screen says so. A whole
#: section or one dotted key; a section with any key here is not in :data:`LIVE_SECTIONS`.
RESTART_KEYS: tuple[str, ...] = (
    "station",  # the id is stored with each check-in by a service built at start-up
    "camera.source",
    "camera.device",
    "camera.file",
    "camera.width",
    "camera.height",
    "camera.fps",
    "camera.rotation",  # applied by the frame source, which is built at start-up
    "camera.reconnect_min_s",
    "camera.reconnect_max_s",
    "model",
    "vision",  # the pose workers are started with the vision service
    "display",
    "gpio",
    "storage.data_dir",
    "storage.retention_days",  # applied when the database is opened at start-up
    "storage.backups_keep",  # the backup timer starts with the database
    "fleet",  # the sync worker and its connections are built at start-up
    "sound.voice",  # the phrase cache is rendered for one voice and rate at start-up
    "sound.voice_name",
    "sound.rate",
)

#: Sections the running kiosk applies whole on a reload (the analysis ones through
#: ``VisionService``, the rest read from the config when used): no restart needed.
LIVE_SECTIONS: tuple[str, ...] = (
    "posture",
    "gait",
    "core",
    "safety",
    "smoothing",
    "zone",
    "cues",
    "staff",
    "checkin",
    "programs",
    "progression",
    "logging",
    "treadmill",  # the station restarts the Bluetooth links (kiosk.app.station)
    "heart_rate",
    "dashboard",  # not read by the kiosk at all: `backstep dashboard` reads it when it starts
)

#: Top-level sections with at least one restart-only setting.
RESTART_SECTIONS: frozenset[str] = frozenset(k.split(".", 1)[0] for k in RESTART_KEYS)


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: the config now in effect and what changed or went wrong."""

    config: BackstepConfig
    ok: bool
    changed: list[str] = field(default_factory=list)
    restart_needed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: lockdown settings this reload changed (the staff PIN, kiosk mode), for the staff screen
    warnings: list[str] = field(default_factory=list)


#: Changes staff must be told about: they decide who can leave or stop the kiosk.
GUARDED_KEYS: dict[str, str] = {
    "staff.pin": "the staff PIN was changed by a config reload",
    "staff.kiosk_mode": "kiosk mode was changed by a config reload",
}


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, Mapping) and data and not prefix.startswith("programs."):
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def changed_settings(old: BackstepConfig, new: BackstepConfig) -> list[str]:
    """Dotted keys whose values differ (a program counts as one setting)."""
    before = dict(_flatten(old.model_dump()))
    after = dict(_flatten(new.model_dump()))
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def needs_restart(key: str) -> bool:
    """True when a changed setting only takes effect after a restart."""
    return any(key == k or key.startswith(k + ".") for k in RESTART_KEYS)


def live_sections_changed(changed: list[str]) -> list[str]:
    """The :data:`LIVE_SECTIONS` that any of these changed dotted keys belong to, in order."""
    touched = {key.split(".", 1)[0] for key in changed}
    return [section for section in LIVE_SECTIONS if section in touched]


class ConfigReloader:
    """Re-reads ``path`` when asked (SIGHUP or `request`); an invalid file keeps ``current``.

    Create it in the main thread to install the SIGHUP handler; `close` restores the old one.
    """

    def __init__(
        self, path: Path | str, current: BackstepConfig, *, install_signal: bool = True
    ) -> None:
        self.path = Path(path)
        self.current = current
        # A plain attribute, not threading.Event: Event.set takes a lock, which a signal handler
        # must not do while the interrupted main thread might hold it.
        self._requested = False
        # the file is read and validated in this thread, never the UI loop's (a slow card, a
        # FIFO or a huge file at the path must not freeze the screen or delay SIGTERM)
        self._reading: WorkerThread | None = None
        self._read_result: ReloadOutcome | None = None
        self._previous_handler: Any = None
        self._installed = False
        if install_signal and threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGHUP, self._on_sighup)
            self._installed = True

    def _on_sighup(self, signum: int, frame: FrameType | None) -> None:
        self._requested = True

    def request(self) -> None:
        """Ask for a reload at the next `poll` (the staff screen's "reload config" item)."""
        self._requested = True

    @property
    def is_pending(self) -> bool:
        """True when a reload was asked for and `poll` has not handled it yet."""
        return self._requested

    def poll(self) -> ReloadOutcome | None:
        """Start a reload in the background if asked; its outcome once read (else None).

        Never blocks and never raises for a bad file.
        """
        reading = self._reading
        if reading is not None:
            if reading.is_alive:
                return None
            self._reading = None
            outcome, self._read_result = self._read_result, None
            if outcome is not None and outcome.ok:
                self.current = outcome.config
            return outcome
        if not self._requested:
            return None
        self._requested = False
        current = self.current
        self._reading = WorkerThread(
            lambda: self._read_in_background(current), "backstep-config-reload"
        )
        self._reading.start()
        return None

    def wait(self, timeout: float = 5.0) -> ReloadOutcome | None:
        """Poll until a requested reload has an outcome (tools and tests; not the UI loop)."""
        deadline = time.monotonic() + timeout
        while True:
            outcome = self.poll()
            if outcome is not None or time.monotonic() >= deadline:
                return outcome
            time.sleep(0.01)

    def _read_in_background(self, current: BackstepConfig) -> None:
        self._read_result = self.read(current)

    def read(self, current: BackstepConfig) -> ReloadOutcome:
        """Read and validate the file against ``current`` (blocking; the reload thread's work)."""
        try:
            new = read_config_file(self.path)
        except ConfigFileError as exc:
            errors = [issue.format(exc.path) for issue in exc.issues]
            for line in errors:
                logger.error("config reload rejected: %s", line)
            logger.error("keeping the running configuration (%s is invalid)", self.path)
            return ReloadOutcome(current, ok=False, errors=errors)
        except Exception as exc:  # a reload must never crash the kiosk in front of a member
            issue = ConfigIssue(f"unexpected error: {exc}")
            logger.exception("config reload failed; keeping the running configuration")
            return ReloadOutcome(current, ok=False, errors=[issue.format(self.path)])
        remember_valid(self.path)  # safe mode starts on this one if a later edit breaks
        changed = changed_settings(current, new)
        restart = [key for key in changed if needs_restart(key)]
        logger.info(
            "config reloaded from %s: %s", self.path, ", ".join(changed) or "nothing changed"
        )
        if restart:
            logger.warning(
                "these settings take effect after `systemctl restart backstep`: %s",
                ", ".join(restart),
            )
        warnings = [text for key, text in GUARDED_KEYS.items() if key in changed]
        for text in warnings:
            logger.warning("%s (%s)", text, self.path)
        return ReloadOutcome(
            new, ok=True, changed=changed, restart_needed=restart, warnings=warnings
        )

    def close(self) -> None:
        """Restore the SIGHUP handler that was there before (idempotent)."""
        if self._installed:
            signal.signal(signal.SIGHUP, self._previous_handler)
            self._installed = False
