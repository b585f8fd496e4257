"""The app's safeguards: kiosk-mode quit, DEMO and "not saving" marks, staff warnings, storage."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from kiosk.app.lockdown import EXIT_STAFF_QUIT, under_systemd
from kiosk.app.parts import StationParts
from kiosk.app.store_link import SavingHealth
from kiosk.config.schema import BackstepConfig
from kiosk.flow.vision_link import StatusFacts, VisionLike
from kiosk.members.checkin import CheckinService
from kiosk.session.lifecycle import MemberSessions

logger = logging.getLogger(__name__)


class Safeguards:
    """The app's part that keeps the station honest; `KioskApp` inherits it."""

    config: BackstepConfig
    parts: StationParts
    store: Any
    members: MemberSessions
    checkin_service: CheckinService | None
    saving: SavingHealth
    locked: bool
    exit_reason: str
    _quit: bool
    _quit_ignored_logged: bool
    _facts: StatusFacts
    frames_drawn: int
    ready_sent: bool
    _ready_status_up: bool
    vision: VisionLike
    notifier: Any

    def _error(self, message: str) -> None:
        """Log and show on the staff screen (the app defines it)."""
        raise NotImplementedError

    def _defer_storage(self, job: Callable[[], None]) -> None:
        """Run ``job`` in the storage worker (the app defines it)."""
        raise NotImplementedError

    def _recording_failed(self, message: str) -> None:
        """A session write failed (thread-safe): counted, marked, and on the staff screen."""
        self.saving.failed(message)
        self._error(f"not saving: {message}")
        from kiosk.app.store_link import write_saving_status
        from kiosk.store.connection import resolve_data_dir

        folder = resolve_data_dir(self.config.storage)
        failures, last = self.saving.failures, self.saving.last_error
        # for `backstep doctor`; written off the UI thread (not at all once shutting down)
        with contextlib.suppress(RuntimeError):
            self._defer_storage(lambda: write_saving_status(folder, failures, last))

    def _poll_store(self) -> None:
        """Install the database once the background opener gets it open (no restart)."""
        opener = self.parts.opener
        if opener is None:
            return
        store = opener.take()
        if store is None:
            return
        logger.warning("database open: sessions and check-ins are saved again")
        self.parts.store = self.store = store
        self.members.store = store
        if self.checkin_service is not None:
            self.checkin_service.store = store
        from kiosk.store.writer import adopt_store

        adopt_store(store)  # a session begun without a database is written from its start

    @property
    def is_saving(self) -> bool:
        """False while sessions cannot be saved (no database, or a recent write failure)."""
        if self.is_demo:
            return True  # nothing is meant to be saved; DEMO says so
        from kiosk.store.writer import held_rows

        # not "a failure in the last 30 s": saving until a write fails, again once it works
        return self.store is not None and held_rows() == 0

    def _request_quit(self) -> None:
        """Ctrl+Q or a closed window: quits, except in kiosk mode (the staff menu quits)."""
        if not self.locked:
            self._quit = True
            self.exit_reason = "quit"
            return
        if not self._quit_ignored_logged:
            self._quit_ignored_logged = True
            logger.warning("quit key ignored in kiosk mode; staff quit from the staff menu")

    @property
    def is_demo(self) -> bool:
        """True while the built-in demo clip stands in for the camera."""
        return self._facts.source == "demo"

    def badges(self) -> list[tuple[str, tuple[int, int, int]]]:
        """The marks drawn over every screen (see `kiosk.app.badges`)."""
        from kiosk.ui import theme as th

        out = []
        if self.is_demo:
            out.append(("DEMO", th.INFO))
        if not self.is_saving:
            out.append(("NOT SAVING", th.CAUTION))
        return out

    def warnings(self) -> list[str]:
        """Standing problems for the staff screen (they stay until fixed, unlike errors)."""
        out: list[str] = []
        facts = self._facts
        if facts.camera == "lost":
            out.append(f"camera: {facts.last_error or 'no frames'}")
        if self.is_demo:
            out.append("no camera: playing the DEMO clip; nothing is recorded")
        if self.store is None:
            opener = self.parts.opener
            why = opener.last_error if opener is not None else None
            out.append(f"not saving: no database ({why or 'unavailable'}); retrying")
        elif self.saving.failures:
            now = "NOT SAVING: " if not self.is_saving else "saving again after "
            out.append(
                f"{now}{self.saving.failures} recording failure(s); last: {self.saving.last_error}"
            )
        if self.parts.store_note:
            out.append(self.parts.store_note)
        if self.store is not None and getattr(self.store, "notices", None):
            out.append(self.store.notices[-1])  # the database file deleted and recreated
        from kiosk.config.schema import StaffConfig

        if self.config.staff.pin == StaffConfig().pin:
            out.append("the staff PIN is the shipped default: set staff.pin in the config")
        return out

    # -------------------------------------------------------------- effects
    @property
    def exit_status(self) -> int:
        """The process's exit status: under systemd a staff quit is the one not restarted."""
        if self.exit_reason == "staff" and under_systemd():
            return EXIT_STAFF_QUIT
        return 0

    def _notify_ready(self) -> None:
        """READY=1 to systemd once the screens show; STATUS= says what is still missing.

        Not "once the camera and the model are up": a broken model or a missing camera
        would then never send READY, systemd would kill the kiosk after its start timeout,
        and staff would never see the screen that tells them what is wrong.
        """
        if self.frames_drawn == 0:
            return
        up = self.vision.is_ready
        if not self.ready_sent:
            self.ready_sent = True
            self._ready_status_up = up
            text = "camera and model up" if up else f"screens up; {self._waiting_for()}"
            logger.info("%s", text)
            if self.notifier is not None:
                self.notifier.ready(text)
        elif up and not self._ready_status_up:
            self._ready_status_up = True
            logger.info("camera and model up")
            if self.notifier is not None:
                self.notifier.status("camera and model up")

    def _waiting_for(self) -> str:
        facts = self._facts
        if facts.model == "error":
            return f"cannot coach: {facts.last_error or 'the pose model failed'}"
        if facts.camera != "ok":
            return f"waiting for the camera ({facts.camera})"
        return "loading the pose model"
