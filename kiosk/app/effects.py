"""Carrying out the flow's effects: check-ins, sessions, alerts, the zone, quitting."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kiosk.app.pairing import DevicePairing
from kiosk.app.parts import moved_zone, persist_zone
from kiosk.app.placement import PlacementCheck
from kiosk.app.station import Station
from kiosk.domain import CheckinMethod
from kiosk.flow.effects import (
    AlertOff,
    AlertOn,
    BeginSession,
    CheckIn,
    Effect,
    EndSession,
    PairDevice,
    PauseSession,
    PlaySound,
    QuitKiosk,
    ReloadConfig,
    ResumeSession,
    SaveZone,
    ScanDevices,
    StartBaseline,
    StartPlacementCheck,
    StopPlacementCheck,
)
from kiosk.flow.machine import KioskController
from kiosk.session.lifecycle import CheckinAnswer
from kiosk.session.running import SessionRun
from kiosk.session.views import SummaryView
from kiosk.ui.placement_view import PlacementView
from vision.settings import ZoneConfig
from vision.types import FrameResult

logger = logging.getLogger(__name__)


class EffectRunner:
    """Applies the controller's effects, each failure a staff message; owns the member's run.

    ``is_demo`` says whether the demo clip plays (a demo is coached, never recorded);
    ``quit`` ends the loop with a reason ("staff").
    """

    def __init__(
        self,
        station: Station,
        controller: KioskController,
        is_demo: Callable[[], bool],
        quit: Callable[[str], None],
    ) -> None:
        self.station = station
        self.controller = controller
        self._is_demo = is_demo
        self._quit = quit
        #: the member's session while one runs, and the summary of the last one
        self.session: SessionRun | None = None
        self.summary: SummaryView | None = None
        #: the staff screen's placement check (fed by the loop while it is open)
        self.placement = PlacementCheck(station, controller)
        #: the staff screen's treadmill / strap pairing (scans off the loop, writes the file)
        self.pairing = DevicePairing.for_station(station)

    def apply(self, effects: list[Effect], now: float) -> None:
        """Carry out ``effects`` in order; a failing one is reported and the rest still run."""
        for effect in effects:
            try:
                self._apply_one(effect, now)
            except Exception as exc:
                logger.exception("effect %s failed", effect.kind)
                self.station.report(f"{effect.kind}: {exc}")

    def _apply_one(self, effect: Effect, now: float) -> None:
        station = self.station
        hw = station.hardware
        match effect:
            case CheckIn(code=code, method=method):
                self._check_in(code, method)
            case StartBaseline():
                station.vision.set_baseline(None)  # the last member's must not pass for this one's
                station.vision.start_baseline()
            case BeginSession(baseline=baseline):
                # the demo clip is coached for show, never recorded as a member's session
                self.session = station.members.begin(
                    self.controller.member, now, baseline, record=not self._is_demo()
                )
                self.summary = None
            case PauseSession() if self.session is not None:
                self.session.pause(now)
            case ResumeSession() if self.session is not None:
                self.session.resume(now)
            case EndSession(status=status):
                self.end_session(now, status)
            case AlertOn():
                station.sound.play("alert")
                if hw is not None:
                    hw.buzzer.beep_alert()
                    hw.led.show_alert()
            case AlertOff() if hw is not None:
                hw.buzzer.silence()
                hw.led.show_ready()
            case PlaySound(tone=tone):
                station.sound.play(tone)
            case ReloadConfig():
                if station.reloader is not None:
                    station.reloader.request()
                else:
                    self.controller.staff.message = "No config file in use"
            case SaveZone(delta=delta, edges=edges, console_side=console_side):
                self._save_zone(delta, edges, console_side)
            case StartPlacementCheck():
                self.placement.start(now)
            case StopPlacementCheck():
                self.placement.stop()
            case ScanDevices(device_kind=kind, scan_id=scan_id):
                self.pairing.scan(self.controller.staff.pairing, kind, scan_id)
            case PairDevice(device_kind=kind, device=device, name=name):
                self.controller.staff.message = self.pairing.pair(kind, device, name)
            case QuitKiosk():
                self._quit("staff")

    def placement_step(
        self, now: float, result: FrameResult | None, pose_fps: float
    ) -> PlacementView | None:
        """Feed the staff screen's placement check (judged off the loop); what it draws."""
        self.apply(self.placement.step(now, result, pose_fps), now)
        return self.placement.view(now)

    def _check_in(self, code: str, method: CheckinMethod) -> None:
        # the look-up (and the member's history for the plan) runs in the storage worker;
        # the controller hears the answer from `storage_jobs.poll` in a later loop step
        station = self.station
        service = station.checkin

        def done(answer: CheckinAnswer | Exception) -> None:
            if isinstance(answer, Exception):
                answer = CheckinAnswer(False, {"reason": "Check-in is unavailable"})
            now = time.monotonic()
            self.apply(self.controller.on_checkin_result(answer.ok, now, **answer.details), now)

        station.storage_jobs.submit(lambda: station.members.check_in(service, code, method), done)

    def end_session(self, now: float, status: str | None = None) -> None:
        """End the running session (if any) and keep its summary for the summary screen."""
        run = self.session
        if run is None:
            return
        self.session = None
        self.summary = self.station.members.end(run, self.controller.member, now, status)

    def _save_zone(
        self,
        delta: dict[str, float],
        edges: dict[str, float] | None = None,
        console_side: str | None = None,
    ) -> None:
        station = self.station
        try:
            # ``edges``: the placement check's suggestion, saved whole
            zone = ZoneConfig(**edges) if edges is not None else moved_zone(station.config, delta)
        except ValueError as exc:
            self.controller.staff.message = f"Zone not valid: {exc}"[:60]
            return
        station.config.zone = zone
        station.vision.set_zone(zone)
        if console_side in ("left", "right"):
            # the next session judges belt ends and a wrong-way walker from it
            station.config.safety.console_side = console_side  # type: ignore[assignment]
        self.controller.staff.message = persist_zone(
            station.config_path, zone, station.report, console_side
        )
        logger.info("zone set to %s (console side %s)", zone, console_side or "unchanged")
