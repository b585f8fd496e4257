"""The app's part that carries out the flow's effects: check-ins, sessions, alerts, the zone."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from hw.station import StationHardware
from kiosk.app.parts import moved_zone, persist_zone
from kiosk.config.reload import ConfigReloader
from kiosk.config.schema import BackstepConfig
from kiosk.flow.effects import (
    AlertOff,
    AlertOn,
    BeginSession,
    CheckIn,
    CheckinMethod,
    Effect,
    EndSession,
    PauseSession,
    PlaySound,
    QuitKiosk,
    ReloadConfig,
    ResumeSession,
    SaveZone,
    StartBaseline,
)
from kiosk.flow.machine import KioskController
from kiosk.flow.vision_link import VisionLike
from kiosk.members.checkin import CheckinService
from kiosk.session.lifecycle import CheckinAnswer, MemberSessions
from kiosk.session.running import SessionRun
from kiosk.session.views import SummaryView
from kiosk.store.worker import StorageWorker
from kiosk.ui.sound import SoundPlayer

logger = logging.getLogger(__name__)


class EffectRunner:
    """Applies the controller's effects, each failure a staff message; `KioskApp` inherits it."""

    config: BackstepConfig
    config_path: Path | None
    hardware: StationHardware | None
    vision: VisionLike
    controller: KioskController
    members: MemberSessions
    session: SessionRun | None
    summary: SummaryView | None
    sound: SoundPlayer
    reloader: ConfigReloader | None
    storage_jobs: StorageWorker
    checkin_service: CheckinService | None
    exit_reason: str
    _quit: bool

    def _error(self, message: str) -> None:
        """Log and show on the staff screen (the app defines it)."""
        raise NotImplementedError

    @property
    def is_demo(self) -> bool:
        """True while the built-in demo clip plays (the app's safeguards decide)."""
        raise NotImplementedError

    def _apply(self, effects: list[Effect], now: float) -> None:
        for effect in effects:
            try:
                self._apply_one(effect, now)
            except Exception as exc:
                logger.exception("effect %s failed", effect.kind)
                self._error(f"{effect.kind}: {exc}")

    def _apply_one(self, effect: Effect, now: float) -> None:
        hw = self.hardware
        match effect:
            case CheckIn(code=code, method=method):
                self._check_in(code, method, now)
            case StartBaseline():
                self.vision.set_baseline(None)  # the last member's must not pass for this one's
                self.vision.start_baseline()
            case BeginSession(baseline=baseline):
                # the demo clip is coached for show, never recorded as a member's session
                self.session = self.members.begin(
                    self.controller.member, now, baseline, record=not self.is_demo
                )
                self.summary = None
            case PauseSession() if self.session is not None:
                self.session.pause(now)
            case ResumeSession() if self.session is not None:
                self.session.resume(now)
            case EndSession(status=status):
                self._end_session(now, status)
            case AlertOn():
                self.sound.play("alert")
                if hw is not None:
                    hw.buzzer.beep_alert()
                    hw.led.show_alert()
            case AlertOff() if hw is not None:
                hw.buzzer.silence()
                hw.led.show_ready()
            case PlaySound(tone=tone):
                self.sound.play(tone)
            case ReloadConfig():
                if self.reloader is not None:
                    self.reloader.request()
                else:
                    self.controller.staff.message = "No config file in use"
            case SaveZone(delta=delta):
                self._save_zone(delta)
            case QuitKiosk():
                self._quit = True
                self.exit_reason = "staff"

    def _check_in(self, code: str, method: CheckinMethod, _now: float) -> None:
        # the look-up (and the member's history for the plan) runs in the storage worker;
        # the controller hears the answer from `storage_jobs.poll` in a later loop step
        service = self.checkin_service

        def done(answer: CheckinAnswer | Exception) -> None:
            if isinstance(answer, Exception):
                answer = CheckinAnswer(False, {"reason": "Check-in is unavailable"})
            now = time.monotonic()
            self._apply(self.controller.on_checkin_result(answer.ok, now, **answer.details), now)

        self.storage_jobs.submit(lambda: self.members.check_in(service, code, method), done)

    def _end_session(self, now: float, status: str | None = None) -> None:
        run = self.session
        if run is None:
            return
        self.session = None
        self.summary = self.members.end(run, self.controller.member, now, status)

    def _save_zone(self, delta: dict[str, float]) -> None:
        try:
            zone = moved_zone(self.config, delta)
        except ValueError as exc:
            self.controller.staff.message = f"Zone not valid: {exc}"[:60]
            return
        self.config.zone = zone
        self.vision.set_zone(zone)
        self.controller.staff.message = persist_zone(self.config_path, zone, self._error)
        logger.info("zone set to %s", zone)
