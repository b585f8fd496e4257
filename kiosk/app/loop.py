"""The kiosk's main loop: display, inputs, the controller, the member's session, drawing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hw.events import ButtonEvent
from kiosk.app.drawing import FrameDrawer
from kiosk.app.effects import EffectRunner
from kiosk.app.live_reload import LiveReload
from kiosk.app.lockdown import InstanceLock, StopSignal, under_systemd
from kiosk.app.parts import open_parts
from kiosk.app.presses import PressInjector, parse_presses
from kiosk.app.run_summary import run_summary, summary_line, ui_cpu_ms_per_frame
from kiosk.app.safeguards import Safeguards
from kiosk.app.screenshots import ScreenshotSaver
from kiosk.app.store_link import SavingHealth
from kiosk.config.schema import BackstepConfig
from kiosk.flow.effects import (
    Effect,
)
from kiosk.flow.machine import FlowTimings, KioskController, Screen
from kiosk.flow.vision_link import StatusFacts, VisionLike, open_vision, read_status
from kiosk.flow.vision_snapshot import SnapshotBuilder
from kiosk.members.qr_worker import QrWorker
from kiosk.session.lifecycle import MemberSessions
from kiosk.session.running import SessionRun
from kiosk.session.views import SummaryView
from kiosk.store.worker import StorageWorker
from kiosk.ui.display import choose_driver, open_display
from kiosk.ui.keyboard import KeyboardInput, pump_events
from kiosk.ui.mirror import MirrorView
from kiosk.ui.screens import build_screens
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import ViewState
from kiosk.ui.welcome import WELCOME_S
from vision.sources.base import FrameSource
from vision.types import FrameResult

__all__ = ["KioskApp", "RunOptions", "choose_driver", "run_kiosk", "summary_line"]

if TYPE_CHECKING:
    from gpiozero import Factory

logger = logging.getLogger(__name__)


@dataclass
class RunOptions:
    """How ``backstep run`` was asked to run (tests build these directly)."""

    config_path: Path | None = None
    source: str | None = None
    headless: bool = False
    seconds: float | None = None
    screenshots: Path | None = None
    presses: str | None = None
    size: tuple[int, int] | None = None
    pin_factory: Factory | None = None
    #: (seconds after start, action) pairs run inside the loop (tests drive mock pins here)
    script: list[tuple[float, Callable[[KioskApp], None]]] = field(default_factory=list)
    vision: VisionLike | None = None
    #: tests only: opens the camera for the real VisionService (and reopens it after a loss)
    source_factory: Callable[[], FrameSource] | None = None
    #: config safe mode (kiosk.config.safe): the staff file's errors, shown on the staff screen
    startup_errors: list[str] = field(default_factory=list)


class KioskApp(LiveReload, Safeguards, EffectRunner, FrameDrawer):
    """Owns the display, the hardware, the vision link and the controller; ``run`` loops."""

    def __init__(self, config: BackstepConfig, options: RunOptions) -> None:
        self.config = config
        self.options = options
        self.config_path = options.config_path
        self.errors: list[str] = list(options.startup_errors)
        self._errors_lock = threading.Lock()
        self.frames_drawn = 0
        self.result_frames = 0
        self._last_result_index = -1
        self._last_qr_frame = -1
        self.session: SessionRun | None = None
        self.summary: SummaryView | None = None
        self.gpio_warning = ""
        self.restart_needed: list[str] = []
        self.ready_sent = False
        self._ready_status_up = False
        self._quit = False
        #: why the loop ended: "seconds", "quit", "staff" or "signal"
        self.exit_reason = ""
        #: kiosk mode: only the staff menu quits (always under systemd)
        self.locked = config.staff.kiosk_mode or under_systemd()
        self._quit_ignored_logged = False
        self.stop_signal = StopSignal()
        self._facts = read_status(None)
        self.saving = SavingHealth()
        self._t0: float | None = None
        self._cpu0: float | None = None  # the UI thread's CPU clock at start (run summary)
        self.shots = ScreenshotSaver(options.screenshots) if options.screenshots else None
        from kiosk.store.connection import resolve_data_dir

        # first, before the display or the database: a second kiosk on the same data folder
        # would mark the live one's session interrupted (raises AlreadyRunningError)
        self.instance_lock = InstanceLock(resolve_data_dir(config.storage))
        self.instance_lock.acquire()
        try:
            self._init_display()
            self._init_parts()
        except BaseException:
            self.instance_lock.release()
            raise

    # ---------------------------------------------------------------- set-up
    def _init_display(self) -> None:
        import pygame

        # under systemd a missing display is waited for (with growing pauses), not turned
        # into a tight restart loop; elsewhere the DisplayError says at once what to fix
        wait_s = self.config.display.wait_s if under_systemd() else 0.0
        display = open_display(
            self.config.display, self.options.headless, self.options.size, wait_s=wait_s
        )
        self.screen_surf = display.surface
        self.headless = display.headless
        self.button_event = pygame.event.custom_type()
        self.fps = max(30, self.config.display.fps)
        w, h = self.screen_surf.get_size()
        self.theme = Theme(w, h)
        self.mirror_view = MirrorView()
        self.screens = build_screens(self.theme, self.mirror_view)

    def _init_parts(self) -> None:
        cfg = self.config
        self.sound = SoundPlayer(cfg.cues.sound and not self.headless, cfg.cues.volume)
        self.controller = KioskController(
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
        self.keyboard = KeyboardInput(cfg.gpio.hold_s, cfg.checkin.card_key_timeout_s)
        parts = open_parts(
            cfg, self.post_button, self.options.pin_factory, self.options.config_path, self._error
        )
        self.parts = parts
        self.hardware, self.gpio_warning = parts.hardware, parts.gpio_warning
        self.store, self.checkin_service, self.qr = parts.store, parts.checkin, parts.qr
        self.reloader, self.notifier = parts.reloader, parts.notifier
        self.qr_worker = QrWorker(self.qr) if self.qr is not None else None
        self.vision = self.options.vision or open_vision(
            cfg, self.options.source, self.options.source_factory
        )
        self.snapshots = SnapshotBuilder(cfg.camera.view, cfg.posture)
        self.storage_jobs = StorageWorker(self._error)
        self.members = MemberSessions(
            cfg, self.store, self.vision, self._error, defer=self._defer_storage
        )
        self.members.on_record_error = self._recording_failed
        self.injector = None
        if self.options.presses:
            self.injector = PressInjector(parse_presses(self.options.presses), self.post_button)

    # --------------------------------------------------------------- inputs
    def post_button(self, event: ButtonEvent) -> None:
        """Thread-safe: GPIO callbacks and scripted presses hand their events to the loop."""
        import pygame

        pygame.event.post(
            pygame.event.Event(self.button_event, button=event.button, kind=event.kind)
        )

    def _error(self, message: str) -> None:
        """Log and keep for the staff screen (thread-safe: worker threads report here too)."""
        logger.error("%s", message)
        with self._errors_lock:
            self.errors.append(message)
            del self.errors[:-20]

    def _handle_events(self, now: float) -> list[Effect]:
        effects: list[Effect] = []
        c = self.controller
        for action in pump_events(self.button_event, self.keyboard, now):
            if action.kind == "quit":
                self._request_quit()
            elif action.kind == "card":
                effects += c.on_card(action.code, now, "card")
            elif action.kind == "card_rejected":
                effects += c.on_card_rejected(action.code, now)
            else:
                effects += c.on_button(action.name, action.press, now)
                if action.name == "stop" and self.hardware is not None:
                    self.hardware.buzzer.silence()
        return effects

    # ----------------------------------------------------------------- loop
    def _vision_step(self, now: float) -> tuple[StatusFacts, FrameResult | None, list[Effect]]:
        facts = read_status(self.vision.status())
        self._facts = facts
        result = self.vision.latest_result()
        if result is not None and result.frame_index != self._last_result_index:
            self._last_result_index = result.frame_index
            self.result_frames += 1
        c = self.controller
        progress, walking = 0.0, False
        if c.screen is Screen.BASELINE:
            progress = float(self.vision.baseline_progress() or 0.0)
            walking = self.vision.baseline_walking()
        snap = self.snapshots.build(result, facts.camera, progress, walking)
        effects = c.on_vision(snap, now)
        events = self.vision.drain_events()
        for event in events:
            effects += c.on_vision_event(event.kind, event.data, now)
        if self.session is not None and c.screen in (Screen.SESSION, Screen.PAUSE):
            if self.session.update(now, result, events) and c.screen is Screen.SESSION:
                effects += c.on_session_finished(now)
            tone = self.session.new_cue_tone
            if tone and c.screen is Screen.SESSION:
                self.sound.play(tone)
        effects += self._scan_qr(now)
        self._notify_ready()
        return facts, result, effects

    def _scan_qr(self, now: float) -> list[Effect]:
        # only on the check-in screen (a member's session is never scanned); the decoding runs in
        # the QR worker's thread, the loop only hands over new frames and takes codes
        worker = self.qr_worker
        if worker is None:
            return []
        if self.controller.screen is not Screen.CHECKIN:
            worker.deactivate()
            return []
        worker.activate()
        frame = self.vision.latest_frame()
        if frame is not None and frame.index != self._last_qr_frame:
            self._last_qr_frame = frame.index
            worker.offer(frame.index, frame.image)
        effects: list[Effect] = []
        for code in worker.take():
            effects += self.controller.on_card(code, now, "qr")
        return effects

    def _defer_storage(self, job: Callable[[], None]) -> None:
        # here, not in a part: the parts only declare it, and the app's own method wins
        self.storage_jobs.submit(job, lambda _result: None)

    def _errors_copy(self) -> list[str]:
        with self._errors_lock:
            return list(self.errors)

    def _rate(self, count: int) -> float:
        elapsed = time.monotonic() - self._t0 if self._t0 is not None else 0.0
        return count / elapsed if elapsed > 0 else 0.0

    @property
    def ui_fps(self) -> float:
        """Frames drawn per second since the loop started."""
        return self._rate(self.frames_drawn)

    @property
    def pose_fps(self) -> float:
        """New pose results per second since the loop started."""
        return self._rate(self.result_frames)

    def _step(self, now: float) -> ViewState:
        """One loop iteration's logic; never raises (a failure shows on the staff screen)."""
        try:
            self._poll_store()
            self.storage_jobs.poll()  # finished check-ins hand their answers to the controller
            effects = self._handle_events(now)
            facts, result, more = self._vision_step(now)
            effects += more
            effects += self.controller.tick(now)
            self._apply(effects, now)
            self.poll_reload()
            self._indicators()
            # while the check-in screen waits for a card, typed letters are an ID
            self.keyboard.id_mode = self.controller.screen in (
                Screen.CHECKIN,
                Screen.CHECKIN_REJECTED,
            )
            self._facts = facts
            return self._view(now, facts, result)
        except Exception as exc:
            logger.exception("loop step failed")
            self._error(f"loop: {type(exc).__name__}: {exc}")
            return ViewState(screen=self.controller.screen, now=now, controller=self.controller)

    def run(self) -> dict[str, Any]:
        """Loop until ``seconds`` pass (or a quit); returns the run summary."""
        import pygame

        clock = pygame.time.Clock()
        self.vision.start()
        self._t0 = time.monotonic()
        self._cpu0 = time.thread_time()
        if self.injector is not None:
            self.injector.start()
        script = sorted(self.options.script, key=lambda s: s[0])
        self._facts = read_status(None)
        self.stop_signal.install()
        try:
            while not self._quit:
                now = time.monotonic()
                t_rel = now - self._t0
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
                        self._error(f"script: {exc}")
                view = self._step(now)
                self._draw(view)
                pygame.display.flip()
                self.frames_drawn += 1
                self._screenshot(view.screen, t_rel)
                if self.notifier is not None:
                    self.notifier.keepalive()
                # tick() sleeps whole milliseconds and tends to undershoot the rate asked for;
                # aiming 2 fps higher keeps the measured rate at or above display.fps
                clock.tick(self.fps + 2)
        finally:
            self.stop_signal.restore()
            summary = self.run_summary(self._facts)
            self.close()
        return summary

    def run_summary(self, facts: StatusFacts) -> dict[str, Any]:
        """The one-line JSON summary's content."""
        return run_summary(
            ui_fps=self.ui_fps,
            pose_fps=facts.pose_fps or self.pose_fps,
            dropped_frames=facts.dropped,
            states_seen=self.controller.states_seen,
            frames_drawn=self.frames_drawn,
            ui_cpu_ms_per_frame=ui_cpu_ms_per_frame(self._cpu0, self.frames_drawn),
            size=self.screen_surf.get_size(),
            screenshots=len(self.shots.files) if self.shots else 0,
            errors=self.errors,
            gpio_warning=self.gpio_warning,
            exit_reason=self.exit_reason or "error",
            storage_failures=self.saving.failures,
            saving=self.store is not None,
        )

    def close(self) -> None:
        """Stop everything (idempotent); tells systemd the kiosk is stopping on purpose."""
        import pygame

        if self.notifier is not None:
            self.notifier.stopping()
        if self.session is not None:
            # a shutdown or a staff quit mid-session is not the member's stop: it must not
            # count toward progression
            status = "interrupted" if self.exit_reason in ("signal", "staff") else None
            try:
                self._end_session(time.monotonic(), status)
            except Exception:
                logger.exception("ending the session failed")
        self.storage_jobs.close()  # queued check-ins and baselines are written first
        self.members.close()  # the last session's end is on disk before the process exits
        try:
            self.vision.stop()
        except Exception:
            logger.exception("stopping vision failed")
        if self.injector is not None:
            self.injector.close()
            self.injector = None
        if self.qr_worker is not None:
            self.qr_worker.close()
            self.qr_worker = None
        self.parts.close()
        self.hardware = self.store = self.reloader = self.notifier = None
        self.sound.close()
        pygame.display.quit()
        self.instance_lock.release()


def run_kiosk(config: BackstepConfig, options: RunOptions) -> dict[str, Any]:
    """Build the app, run it, return the summary (``exit_status`` says how to exit)."""
    app = KioskApp(config, options)
    summary = app.run()
    summary["exit_status"] = app.exit_status
    return summary
