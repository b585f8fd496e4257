"""The kiosk's main loop: display, inputs, the controller, the member's session, drawing."""

from __future__ import annotations

import logging
import time
from typing import Any

from hw.events import ButtonEvent
from hw.station import StationHardware
from kiosk.app.belt import BeltWatch
from kiosk.app.drawing import FrameDrawer
from kiosk.app.effects import EffectRunner
from kiosk.app.live_reload import LiveReload, apply_checkin_rules
from kiosk.app.lockdown import (
    EXIT_STAFF_QUIT,
    InstanceLock,
    keep_pin_lockout,
    process_stop_signal,
    under_systemd,
)
from kiosk.app.options import RunOptions
from kiosk.app.presses import PressInjector, parse_presses
from kiosk.app.run_summary import LoopRates, run_summary, summary_line, ui_cpu_ms_per_frame
from kiosk.app.safeguards import Safeguards
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.app.station import Station
from kiosk.config.reload import ConfigReloader
from kiosk.config.schema import BackstepConfig
from kiosk.deploy.health import HealthFile
from kiosk.domain import INTERRUPTED
from kiosk.flow.effects import Effect
from kiosk.flow.machine import FlowTimings, KioskController, Screen
from kiosk.session.running import SessionRun
from kiosk.store.connection import resolve_data_dir
from kiosk.store.writer import settle_unsaved
from kiosk.ui.display import choose_driver, open_display
from kiosk.ui.keyboard import KeyboardInput, pump_events
from kiosk.ui.mirror import MirrorView
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import ViewState
from kiosk.ui.welcome import WELCOME_S
from kiosk.vision_link.link import StatusFacts, VisionLike, read_status
from kiosk.vision_link.snapshot import SnapshotBuilder
from vision.types import FrameResult

__all__ = ["KioskApp", "RunOptions", "choose_driver", "run_kiosk", "summary_line"]

logger = logging.getLogger(__name__)


class KioskApp:
    """Owns the display, the station and the controller; ``run`` calls the parts in order.

    Each step: the station installs a reopened store, inputs and vision feed the controller,
    the effects carry out what it decided, a pending reload is installed, the drawer draws.
    """

    def __init__(self, config: BackstepConfig, options: RunOptions) -> None:
        self.options = options
        self.exit_reason = ""  #: why the loop ended: "seconds", "quit", "staff" or "signal"
        self._quit = False
        self.stop_signal = process_stop_signal()  # shared with `backstep run`
        self.rates = LoopRates()
        self._last_qr_frame = -1
        self.shots = ScreenshotSaver(options.screenshots) if options.screenshots else None
        # first, before the display or the database: a second kiosk on the same data folder
        # would mark the live one's session interrupted (raises AlreadyRunningError)
        self.instance_lock = InstanceLock(resolve_data_dir(config.storage))
        self.instance_lock.acquire()
        try:
            self._open_display(config)
            self._build(config)
        except BaseException:
            self.instance_lock.release()
            raise
        # what update.sh's post-switch check reads (model, camera frame, pose)
        self.health = HealthFile(resolve_data_dir(config.storage))

    # ---------------------------------------------------------------- set-up
    def _open_display(self, config: BackstepConfig) -> None:
        import pygame

        # under systemd a missing display is waited for (with growing pauses), not turned
        # into a tight restart loop; elsewhere the DisplayError says at once what to fix
        wait_s = config.display.wait_s if under_systemd() else 0.0
        display = open_display(
            config.display, self.options.headless, self.options.size, wait_s=wait_s
        )
        self.screen_surf = display.surface
        self.headless = display.headless
        self.button_event = pygame.event.custom_type()
        self.fps = max(30, config.display.fps)
        w, h = self.screen_surf.get_size()
        self.theme = Theme(w, h)
        self.screens = build_screens(self.theme, MirrorView())

    def _build(self, cfg: BackstepConfig) -> None:
        self.station = station = Station(cfg, self.options, self.post_button, self.headless)
        self.controller = controller = KioskController(
            checkin_enabled=cfg.checkin.qr or cfg.checkin.card or cfg.checkin.buttons,
            guest_allowed=cfg.checkin.guest,
            buttons_checkin=cfg.checkin.buttons,
            member_id_digits=cfg.checkin.id_digits,
            staff_pin=cfg.staff.pin,
            timings=FlowTimings(
                camera_lost_end_s=cfg.camera.lost_end_session_s, welcome_s=WELCOME_S
            ),
            now=time.monotonic(),
        )
        keep_pin_lockout(self.controller.pin_guard, self.instance_lock.path.parent)  # on disk
        self.controller.safety.drift_back_limit = cfg.safety.drift_back_limit
        self.keyboard = KeyboardInput(cfg.gpio.hold_s, cfg.checkin.card_key_timeout_s)
        self.snapshots = SnapshotBuilder(cfg.camera.view, cfg.posture)
        # kiosk mode: only the staff menu quits (always under systemd)
        locked = cfg.staff.kiosk_mode or under_systemd()
        self.safeguards = Safeguards(station, self._stop, locked)
        self.effects = EffectRunner(
            station, controller, lambda: self.safeguards.is_demo, self._stop
        )
        self.live_reload = LiveReload(station, controller)
        self.belt = BeltWatch(station.machine)  # the treadmill's belt starts and pauses
        self.drawer = FrameDrawer(
            station,
            controller,
            effects=self.effects,
            safeguards=self.safeguards,
            reload=self.live_reload,
            rates=self.rates,
            surface=self.screen_surf,
            theme=self.theme,
            screens=self.screens,
            shots=self.shots,
        )
        station.config_changed.subscribe(self._follow_config)
        self.injector = None
        if self.options.presses:
            self.injector = PressInjector(parse_presses(self.options.presses), self.post_button)

    def _follow_config(self, cfg: BackstepConfig) -> None:
        # the loop's own parts: the controller (staff and check-in), the card reader, the view
        apply_checkin_rules(self.controller, cfg)
        self.keyboard.card.key_timeout_s = cfg.checkin.card_key_timeout_s
        self.snapshots.expected_view = cfg.camera.view

    # ------------------------------------------------ what tests and scripts look at
    @property
    def config(self) -> BackstepConfig:
        """The config in force (the station's)."""
        return self.station.config

    @property
    def vision(self) -> VisionLike:
        """The vision service (the station's)."""
        return self.station.vision

    @property
    def hardware(self) -> StationHardware | None:
        """Buttons, LED and buzzer (the station's; None without GPIO)."""
        return self.station.hardware

    @property
    def reloader(self) -> ConfigReloader | None:
        """The staff file's reloader (the station's)."""
        return self.station.reloader

    @property
    def session(self) -> SessionRun | None:
        """The member's running session, if any."""
        return self.effects.session

    @property
    def locked(self) -> bool:
        """Kiosk mode: only the staff menu quits."""
        return self.safeguards.locked

    @property
    def is_demo(self) -> bool:
        """True while the built-in demo clip stands in for the camera."""
        return self.safeguards.is_demo

    @property
    def ready_sent(self) -> bool:
        """True once READY=1 went to systemd."""
        return self.safeguards.ready_sent

    @property
    def frames_drawn(self) -> int:
        """Frames drawn so far."""
        return self.rates.frames_drawn

    def warnings(self) -> list[str]:
        """Standing problems for the staff screen."""
        return self.safeguards.warnings()

    def badges(self) -> list[tuple[str, tuple[int, int, int]]]:
        """The marks drawn over every screen."""
        return self.safeguards.badges()

    @property
    def exit_status(self) -> int:
        """The process's exit status: under systemd a staff quit is the one not restarted."""
        if self.exit_reason == "staff" and under_systemd():
            return EXIT_STAFF_QUIT
        return 0

    # --------------------------------------------------------------- inputs
    def post_button(self, event: ButtonEvent) -> None:
        """Thread-safe: GPIO callbacks and scripted presses hand their events to the loop."""
        import pygame

        pygame.event.post(
            pygame.event.Event(self.button_event, button=event.button, kind=event.kind)
        )

    def _stop(self, reason: str) -> None:
        """End the loop after this step (``reason`` goes into the run summary)."""
        self._quit = True
        self.exit_reason = reason

    def _handle_events(self, now: float) -> list[Effect]:
        effects: list[Effect] = []
        c = self.controller
        for action in pump_events(self.button_event, self.keyboard, now):
            if action.kind == "quit":
                self.safeguards.request_quit()
            elif action.kind == "card":
                effects += c.on_card(action.code, now, "card")
            elif action.kind == "card_rejected":
                effects += c.on_card_rejected(action.code, now)
            else:
                effects += c.on_button(action.name, action.press, now)
                hardware = self.station.hardware
                if action.name == "stop" and hardware is not None:
                    hardware.buzzer.silence()
        return effects

    # ----------------------------------------------------------------- loop
    def _vision_step(self, now: float) -> tuple[StatusFacts, FrameResult | None, list[Effect]]:
        vision = self.station.vision
        facts = read_status(vision.status())
        self.safeguards.see(facts)
        result = vision.latest_result()
        if result is not None:
            self.rates.saw_result(result.frame_index)
        c = self.controller
        progress, walking = 0.0, False
        if c.screen is Screen.BASELINE:
            progress = float(vision.baseline_progress() or 0.0)
            walking = vision.baseline_walking()
        snap = self.snapshots.build(result, facts.camera, progress, walking)
        effects = c.on_vision(snap, now)
        events = vision.drain_events()
        for event in events:
            effects += c.on_vision_event(event.kind, event.data, now)
        session = self.effects.session
        if session is not None and c.screen in (Screen.SESSION, Screen.PAUSE):
            if session.update(now, result, events) and c.screen is Screen.SESSION:
                effects += c.on_session_finished(now)
            item = session.take_announcement()
            if item is not None and item.tone and c.screen is Screen.SESSION:
                self.station.voice.cue(item.tone, item.words, now)  # the tone, then the words
        effects += self._scan_qr(now)
        self.health.observe_step(facts, result, c.screen.name)
        self.safeguards.notify_ready(self.rates.frames_drawn)
        return facts, result, effects

    def _scan_qr(self, now: float) -> list[Effect]:
        # only on the check-in screen (a member's session is never scanned); the decoding runs in
        # the QR worker's thread, the loop only hands over new frames and takes codes
        worker = self.station.qr_worker
        if worker is None:
            return []
        if self.controller.screen is not Screen.CHECKIN:
            worker.deactivate()
            return []
        worker.activate()
        frame = self.station.vision.latest_frame()
        if frame is not None and frame.index != self._last_qr_frame:
            self._last_qr_frame = frame.index
            worker.offer(frame.index, frame.image)
        effects: list[Effect] = []
        for code in worker.take():
            effects += self.controller.on_card(code, now, "qr")
        return effects

    def _step(self, now: float) -> ViewState:
        """One loop iteration's logic; never raises (a failure shows on the staff screen)."""
        try:
            self.station.poll_store()
            self.station.storage_jobs.poll()  # finished check-ins answer the controller
            effects = self._handle_events(now)
            facts, result, more = self._vision_step(now)
            effects += more
            effects += self.belt.step(self.controller, now)
            effects += self.controller.tick(now)
            self.effects.apply(effects, now)
            self.live_reload.poll()
            self.drawer.indicators()
            # while the check-in screen waits for a card, typed letters are an ID
            self.keyboard.id_mode = self.controller.screen in (
                Screen.CHECKIN,
                Screen.CHECKIN_REJECTED,
            )
            view = self.drawer.view(now, facts, result)
            view.placement = self.effects.placement_step(now, result, facts.pose_fps)
            return view
        except Exception as exc:
            logger.exception("loop step failed")
            self.station.report(f"loop: {type(exc).__name__}: {exc}")
            return ViewState(screen=self.controller.screen, now=now, controller=self.controller)

    def run(self) -> dict[str, Any]:
        """Loop until ``seconds`` pass (or a quit); returns the run summary."""
        import pygame

        clock = pygame.time.Clock()
        self.station.vision.start()
        self.rates.start()
        t0 = time.monotonic()
        if self.injector is not None:
            self.injector.start()
        script = sorted(self.options.script, key=lambda s: s[0])
        self.safeguards.see(read_status(None))
        self.stop_signal.install()
        try:
            while not self._quit:
                now = time.monotonic()
                t_rel = now - t0
                if self.stop_signal.received is not None:
                    logger.warning("signal %d: stopping", self.stop_signal.received)
                    self.exit_reason = "signal"
                    break
                if self.options.seconds is not None and t_rel >= self.options.seconds:
                    self.exit_reason = "seconds"
                    break
                while script and script[0][0] <= t_rel:
                    _, action = script.pop(0)
                    try:
                        action(self)
                    except Exception as exc:
                        self.station.report(f"script: {exc}")
                view = self._step(now)
                self.drawer.draw(view)
                pygame.display.flip()
                self.rates.frames_drawn += 1
                self.drawer.screenshot(view.screen, t_rel)
                notifier = self.station.notifier
                if notifier is not None:
                    notifier.keepalive()
                # tick() sleeps whole milliseconds and tends to undershoot the rate asked for;
                # aiming 2 fps higher keeps the measured rate at or above display.fps
                clock.tick(self.fps + 2)
        finally:
            summary = self.run_summary(self.safeguards.facts)
            self.close()
            self.stop_signal.restore()  # after close: a second SIGTERM only sets the flag
            settle_unsaved(summary, self.station.saving.lost_mark)  # known once the writers stopped
        return summary

    def run_summary(self, facts: StatusFacts) -> dict[str, Any]:
        """The one-line JSON summary's content."""
        station, rates = self.station, self.rates
        return run_summary(
            ui_fps=rates.ui_fps,
            pose_fps=facts.pose_fps or rates.pose_fps,
            dropped_frames=facts.dropped,
            states_seen=self.controller.states_seen,
            frames_drawn=rates.frames_drawn,
            ui_cpu_ms_per_frame=ui_cpu_ms_per_frame(rates.cpu_at_start, rates.frames_drawn),
            size=self.screen_surf.get_size(),
            screenshots=len(self.shots.files) if self.shots else 0,
            errors=station.errors.items,
            gpio_warning=station.parts.gpio_warning,
            exit_reason=self.exit_reason or "error",
            storage_failures=station.saving.failures,
            saving=station.store is not None,
        )

    def close(self) -> None:
        """Stop everything (idempotent); tells systemd the kiosk is stopping on purpose."""
        import pygame

        notifier = self.station.notifier
        if notifier is not None:
            notifier.stopping()
        if self.effects.session is not None:
            # a shutdown or a staff quit mid-session is not the member's stop: it must not
            # count toward progression
            status = INTERRUPTED if self.exit_reason in ("signal", "staff") else None
            try:
                self.effects.end_session(time.monotonic(), status)
            except Exception:
                logger.exception("ending the session failed")
        if self.injector is not None:
            self.injector.close()
            self.injector = None
        self.effects.placement.stop()
        self.station.close()
        pygame.display.quit()
        self.health.close()
        self.instance_lock.release()


def run_kiosk(config: BackstepConfig, options: RunOptions) -> dict[str, Any]:
    """Build the app, run it, return the summary (``exit_status`` says how to exit)."""
    app = KioskApp(config, options)
    summary = app.run()
    summary["exit_status"] = app.exit_status
    return summary
