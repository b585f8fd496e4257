"""The kiosk's safeguards: kiosk-mode quit, DEMO and "not saving" marks, warnings, READY."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.app.station import Station
from kiosk.vision_link.link import StatusFacts, read_status

logger = logging.getLogger(__name__)


class Safeguards:
    """Keeps the station honest: what staff are warned of, what every screen is marked with.

    ``facts`` is the vision status the loop read last (`see` takes each step's);
    ``quit`` ends the loop with a reason; ``locked`` is kiosk mode (only staff quit).
    """

    def __init__(self, station: Station, quit: Callable[[str], None], locked: bool) -> None:
        self.station = station
        self._quit = quit
        self.locked = locked
        self.facts: StatusFacts = read_status(None)
        self.ready_sent = False
        self._ready_status_up = False
        self._quit_ignored_logged = False

    def see(self, facts: StatusFacts) -> None:
        """The vision status of this loop step."""
        self.facts = facts

    @property
    def is_demo(self) -> bool:
        """True while the built-in demo clip stands in for the camera."""
        return self.facts.source == "demo"

    @property
    def is_saving(self) -> bool:
        """False while sessions cannot be saved (no database, or a recent write failure)."""
        if self.is_demo:
            return True  # nothing is meant to be saved; DEMO says so
        from kiosk.store.writer import held_rows

        # not "a failure in the last 30 s": saving until a write fails, again once it works
        return self.station.store is not None and held_rows() == 0

    def request_quit(self) -> None:
        """Ctrl+Q or a closed window: quits, except in kiosk mode (the staff menu quits)."""
        if not self.locked:
            self._quit("quit")
            return
        if not self._quit_ignored_logged:
            self._quit_ignored_logged = True
            logger.warning("quit key ignored in kiosk mode; staff quit from the staff menu")

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
        station, facts = self.station, self.facts
        saving = station.saving
        if facts.camera == "lost":
            out.append(f"camera: {facts.last_error or 'no frames'}")
        if self.is_demo:
            out.append("no camera: playing the DEMO clip; nothing is recorded")
        if station.store is None:
            opener = station.opener
            why = opener.last_error if opener is not None else None
            out.append(f"not saving: no database ({why or 'unavailable'}); retrying")
        elif saving.failures:
            now = "NOT SAVING: " if not self.is_saving else "saving again after "
            out.append(f"{now}{saving.failures} recording failure(s); last: {saving.last_error}")
        if station.parts.store_note:
            out.append(station.parts.store_note)
        if station.store is not None and getattr(station.store, "notices", None):
            out.append(station.store.notices[-1])  # the database file deleted and recreated
        from kiosk.config.schema import StaffConfig

        if station.config.staff.pin == StaffConfig().pin:
            out.append("the staff PIN is the shipped default: set staff.pin in the config")
        return out

    def notify_ready(self, frames_drawn: int) -> None:
        """READY=1 to systemd once the screens show; STATUS= says what is still missing.

        Not "once the camera and the model are up": a broken model or a missing camera
        would then never send READY, systemd would kill the kiosk after its start timeout,
        and staff would never see the screen that tells them what is wrong.
        """
        if frames_drawn == 0:
            return
        notifier = self.station.notifier
        up = self.station.vision.is_ready
        if not self.ready_sent:
            self.ready_sent = True
            self._ready_status_up = up
            text = "camera and model up" if up else f"screens up; {self._waiting_for()}"
            logger.info("%s", text)
            if notifier is not None:
                notifier.ready(text)
        elif up and not self._ready_status_up:
            self._ready_status_up = True
            logger.info("camera and model up")
            if notifier is not None:
                notifier.status("camera and model up")

    def _waiting_for(self) -> str:
        facts = self.facts
        if facts.model == "error":
            return f"cannot coach: {facts.last_error or 'the pose model failed'}"
        if facts.camera != "ok":
            return f"waiting for the camera ({facts.camera})"
        return "loading the pose model"
