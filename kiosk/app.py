"""The kiosk's main loop: pygame display, inputs, the controller, the session, drawing."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hw.events import ButtonEvent
from kiosk.settings import BackstepConfig
from kiosk.states import Effect, KioskController, Screen, VisionSnapshot
from kiosk.view import StaffView, SummaryView, ViewState
from kiosk.vision_link import VisionLike, open_vision, read_status
from vision.types import (
    LEFT_ANKLE,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_SHOULDER,
    FrameResult,
)

logger = logging.getLogger(__name__)

#: Seconds between periodic screenshots (besides one per screen when first shown).
SCREENSHOT_EVERY_S = 5.0
#: Landmarks that must be visible (and inside the frame) for "whole body visible".
WHOLE_BODY = (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_ANKLE, RIGHT_ANKLE)


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
    pin_factory: Any = None
    #: (seconds after start, action) pairs run inside the loop (tests drive mock pins here)
    script: list[tuple[float, Callable[[KioskApp], None]]] = field(default_factory=list)
    vision: VisionLike | None = None


def choose_driver(driver: str, headless: bool, environ: dict[str, str] | None = None) -> str | None:
    """The SDL video driver: dummy when headless, kmsdrm on a console, a window on a desktop.

    Returns None to let SDL pick (a desktop session). An ``SDL_VIDEODRIVER`` already set in
    the environment wins, so systemd units and tests keep control.
    """
    env = os.environ if environ is None else environ
    if headless:
        return "dummy"
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if driver != "auto":
        return driver
    if env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"):
        return None
    if any(Path("/dev/dri").glob("card*")):
        return "kmsdrm"
    return "dummy"


def snapshot_from(
    result: FrameResult | None, camera: str, baseline: float, gate: float = 0.5
) -> VisionSnapshot:
    """What the controller needs from one vision result."""
    if result is None:
        return VisionSnapshot(camera=camera, baseline_progress=baseline)
    pose = result.smoothed or result.pose
    whole = False
    if pose is not None:
        lm = pose.image
        pts = lm[list(WHOLE_BODY)]
        whole = bool(
            np.all(pts[:, 3] >= gate)
            and np.all((pts[:, 0] >= 0) & (pts[:, 0] <= 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= 1))
        )
    return VisionSnapshot(
        camera=camera,
        person=pose is not None or bool(result.others),
        whole_body=whole,
        in_zone=result.person,
        side_view=result.metrics.get("view") == "side",
        baseline_progress=baseline,
    )


class KioskApp:
    """Owns the display, the hardware, the vision link and the controller; ``run`` loops."""

    def __init__(self, config: BackstepConfig, options: RunOptions) -> None:
        self.config = config
        self.options = options
        self.errors: list[str] = []
        self.frames_drawn = 0
        self.result_frames = 0
        self._last_result_index = -1
        self._shots_taken: set[str] = set()
        self._last_periodic = 0.0
        self._screenshot_files: list[str] = []
        self._card_buffer = ""
        self._card_last = 0.0
        self._return_down_at: float | None = None
        self._return_hold_sent = False
        self.session: Any = None
        self.summary: SummaryView | None = None
        self._last_summary: dict[str, Any] | None = None
        self._camera_t0: float | None = None
        self.gpio_warning = ""
        self.restart_needed: list[str] = []
        self.ready_sent = False
        self._init_display()
        self._init_parts()

    # ---------------------------------------------------------------- set-up
    def _init_display(self) -> None:
        import pygame

        disp = self.config.display
        driver = choose_driver(disp.driver, self.options.headless)
        if driver:
            os.environ["SDL_VIDEODRIVER"] = driver
        self.headless = driver in ("dummy", "offscreen")
        if self.headless:
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.display.init()
        pygame.font.init()
        size = self.options.size or (disp.width, disp.height)
        flags = 0
        fullscreen = disp.fullscreen and not self.headless and self.options.size is None
        if fullscreen:
            flags |= pygame.FULLSCREEN
            size = (0, 0) if driver == "kmsdrm" else size
        self.screen_surf = pygame.display.set_mode(size, flags)
        pygame.display.set_caption("Backstep")
        if fullscreen:
            pygame.mouse.set_visible(False)
        self.button_event = pygame.event.custom_type()
        self.fps = max(30, disp.fps)
        w, h = self.screen_surf.get_size()
        from kiosk.mirror import MirrorView
        from kiosk.screens import build_screens
        from kiosk.theme import Theme

        self.theme = Theme(w, h)
        self.mirror_view = MirrorView()
        self.screens = build_screens(self.theme, self.mirror_view)
        logger.info("display %dx%d driver=%s", w, h, driver or "default")

    def _init_parts(self) -> None:
        from kiosk.sound import SoundPlayer

        cfg = self.config
        self.sound = SoundPlayer(cfg.cues.sound and not self.headless, cfg.cues.volume)
        self.controller = KioskController(
            checkin_enabled=cfg.checkin.qr or cfg.checkin.card or cfg.checkin.buttons,
            guest_allowed=cfg.checkin.guest,
            buttons_checkin=cfg.checkin.buttons,
            member_id_digits=getattr(cfg.checkin, "id_digits", 4),
            staff_pin=cfg.staff.pin,
            now=time.monotonic(),
        )
        self.hardware = self._open_hardware()
        self.store, self.checkin_service, self.qr = self._open_storage()
        self.vision = self.options.vision or open_vision(cfg, self.options.source)
        self.reloader = self._open_reloader()
        self.notifier = self._open_notifier()
        self.injector = None
        if self.options.presses:
            from kiosk.presses import PressInjector, parse_presses

            self.injector = PressInjector(parse_presses(self.options.presses), self.post_button)

    def _open_hardware(self) -> Any:
        try:
            from hw.station import open_hardware

            hardware = open_hardware(self.config.gpio, self.post_button, self.options.pin_factory)
            self.gpio_warning = hardware.warning or ""
            return hardware
        except Exception as exc:
            logger.exception("hardware failed")
            self.gpio_warning = f"GPIO failed: {exc} — keyboard only"
            return None

    def _open_storage(self) -> tuple[Any, Any, Any]:
        store = checkin = qr = None
        try:
            from kiosk.storage import Store

            store = Store.open(self.config.storage)
        except Exception as exc:
            self._error(f"storage unavailable: {exc}")
        try:
            from kiosk.checkin import CheckinService, QrScanner

            checkin = CheckinService(store, self.config.checkin, self.config.station.id)
            if self.config.checkin.qr:
                qr = QrScanner.from_config(self.config.checkin)
        except Exception as exc:
            self._error(f"check-in unavailable: {exc}")
        return store, checkin, qr

    def _open_reloader(self) -> Any:
        path = self.options.config_path
        if path is None:
            return None
        try:
            from kiosk.reload import ConfigReloader

            return ConfigReloader(path, self.config)
        except Exception as exc:
            self._error(f"config reload unavailable: {exc}")
            return None

    def _open_notifier(self) -> Any:
        try:
            from kiosk.notify import Notifier

            return Notifier()
        except Exception:
            logger.exception("sd_notify unavailable")
            return None

    # --------------------------------------------------------------- inputs
    def post_button(self, event: ButtonEvent) -> None:
        """Thread-safe: GPIO callbacks and scripted presses hand their events to the loop."""
        import pygame

        pygame.event.post(
            pygame.event.Event(self.button_event, button=event.button, kind=event.kind)
        )

    def _error(self, message: str) -> None:
        logger.error("%s", message)
        self.errors.append(message)
        del self.errors[:-20]

    def _handle_events(self, now: float) -> list[Effect]:
        import pygame

        effects: list[Effect] = []
        c = self.controller
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self._quit = True
            elif ev.type == self.button_event:
                effects += c.on_button(ev.button, ev.kind, now)
                if ev.button in ("stop",) and self.hardware is not None:
                    self.hardware.buzzer.silence()
            elif ev.type == pygame.KEYDOWN:
                effects += self._key_down(ev, now)
            elif ev.type == pygame.KEYUP and ev.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                held = self._return_hold_sent
                self._return_down_at = None
                self._return_hold_sent = False
                if not held:
                    effects += c.on_button("select", "press", now)
        if (
            self._return_down_at is not None
            and not self._return_hold_sent
            and now - self._return_down_at >= self.config.gpio.hold_s
        ):
            self._return_hold_sent = True
            effects += c.on_button("select", "hold", now)
        return effects

    def _key_down(self, ev: Any, now: float) -> list[Effect]:
        import pygame

        c = self.controller
        key = ev.key
        text = getattr(ev, "unicode", "") or ""
        if self._card_buffer and now - self._card_last > 5.0:
            self._card_buffer = ""  # a half-typed code from long ago is not a card swipe
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            if self._card_buffer:
                code, self._card_buffer = self._card_buffer, ""
                self._return_hold_sent = True  # the key-up must not also be "select"
                return c.on_card(code, now, "card")
            self._return_down_at = now
            return []
        if text.isdigit() or (self._card_buffer and text.isalnum()):
            self._card_buffer += text
            self._card_last = now
            return []
        mapping = {
            pygame.K_SPACE: ("start", "press"),
            pygame.K_ESCAPE: ("stop", "press"),
            pygame.K_s: ("stop", "press"),
            pygame.K_UP: ("up", "press"),
            pygame.K_DOWN: ("down", "press"),
            pygame.K_F12: ("select", "hold"),
            pygame.K_TAB: ("select", "press"),
        }
        if key == pygame.K_q and ev.mod & pygame.KMOD_CTRL:
            self._quit = True
            return []
        if key in mapping:
            name, kind = mapping[key]
            return c.on_button(name, kind, now)
        return []

    # -------------------------------------------------------------- effects
    def _apply(self, effects: list[Effect], now: float) -> None:
        for effect in effects:
            try:
                self._apply_one(effect, now)
            except Exception as exc:
                logger.exception("effect %s failed", effect.kind)
                self._error(f"{effect.kind}: {exc}")

    def _apply_one(self, effect: Effect, now: float) -> None:
        kind = effect.kind
        c = self.controller
        if kind == "check_in":
            self._check_in(effect.data["code"], effect.data.get("method", "card"), now)
        elif kind == "start_baseline":
            self.vision.start_baseline()
        elif kind == "begin_session":
            if not effect.data.get("baseline", True):
                self.vision.set_baseline(None)  # absolute limits (baseline skipped/failed)
            self._begin_session(now)
        elif kind == "pause_session" and self.session is not None:
            self.session.pause(now)
        elif kind == "resume_session" and self.session is not None:
            self.session.resume(now)
        elif kind == "end_session":
            self._end_session(now)
        elif kind == "alert_on":
            self.sound.play("alert")
            if self.hardware is not None:
                self.hardware.buzzer.beep_alert()
                self.hardware.led.show_alert()
        elif kind == "alert_off":
            if self.hardware is not None:
                self.hardware.buzzer.silence()
                self.hardware.led.show_ready()
        elif kind == "sound":
            self.sound.play(effect.data.get("tone"))
        elif kind == "reload_config":
            if self.reloader is not None:
                self.reloader.request()
            else:
                c.staff.message = "No config file in use"
        elif kind == "save_zone":
            self._save_zone(effect.data.get("delta", {}))

    def _check_in(self, code: str, method: str, now: float) -> None:
        c = self.controller
        if self.checkin_service is None:
            self._apply(c.on_checkin_result(False, now, reason="Check-in is unavailable"), now)
            return
        result = self.checkin_service.check_in(code, method)
        if result.ok and result.member is not None:
            effects = c.on_checkin_result(
                True, now, member_id=result.member.id, name=result.member.name
            )
        elif result.ok:
            effects = c.on_checkin_result(True, now, name="Guest")
        else:
            effects = c.on_checkin_result(False, now, reason=result.hint or "Not recognised")
        self._apply(effects, now)

    def _plan(self) -> tuple[Any, str]:
        """The program for this member (scaled by progression), and the suggestion text."""
        from kiosk.sessions import SessionPlan

        plan = SessionPlan.from_config(self.config)
        member = self.controller.member
        if member is None or member.is_guest or self.store is None:
            return plan, ""
        try:
            from kiosk.progression import suggest_next

            history = self.store.list_sessions(member.member_id)
            record = self.store.get_member(member.member_id)
            level = getattr(record, "level", None)
            suggestion = suggest_next(history, level, self.config.progression)
            return plan.scaled(suggestion.backward_minutes), suggestion.text
        except Exception as exc:
            self._error(f"progression: {exc}")
            return plan, ""

    def _begin_session(self, now: float) -> None:
        from kiosk.session_run import SessionRun

        plan, _ = self._plan()
        member = self.controller.member
        recorder = None
        if self.store is not None:
            try:
                from kiosk.recorder import SessionRecorder

                recorder = SessionRecorder(self.store, station_id=self.config.station.id)
            except Exception as exc:
                self._error(f"recorder: {exc}")
        member_id = member.member_id if member else None
        self._last_summary = self._previous_summary(member_id)
        self.session = SessionRun(
            self.config, plan, member.name if member else "Guest", recorder, member_id
        )
        self.session.start(now)
        self.summary = None

    def _previous_summary(self, member_id: str | None) -> dict[str, Any] | None:
        if member_id is None or self.store is None:
            return None
        try:
            sessions = self.store.list_sessions(
                member_id, statuses=("completed", "stopped"), limit=1, newest_first=True
            )
            return sessions[0].summary if sessions else None
        except Exception as exc:
            self._error(f"history: {exc}")
            return None

    def _end_session(self, now: float) -> None:
        from kiosk.session_run import summary_view

        run = self.session
        if run is None:
            return
        status = "completed" if run.clock.is_finished else "stopped"
        summary = run.finish(now, status)
        suggestion = ""
        member = self.controller.member
        try:
            from kiosk.progression import outcome_from_summary, suggest_next

            outcome = outcome_from_summary(summary)
            level = None
            if member is not None and not member.is_guest and self.store is not None:
                record = self.store.get_member(member.member_id)
                level = getattr(record, "level", None)
            suggestion = suggest_next(
                [outcome] if outcome else [], level, self.config.progression
            ).text
        except Exception as exc:
            self._error(f"suggestion: {exc}")
        self.summary = summary_view(
            summary, self.config.posture.forward_warn_deg, self._last_summary, suggestion
        )
        if run.recorder is not None:
            try:
                run.recorder.close()
            except Exception:
                logger.exception("recorder close failed")
        self.session = None

    def _save_zone(self, delta: dict[str, float]) -> None:
        from vision.settings import ZoneConfig

        z = self.config.zone
        values = {
            k: min(1.0, max(0.0, getattr(z, k) + delta.get(k, 0.0)))
            for k in ("x0", "y0", "x1", "y1")
        }
        try:
            zone = ZoneConfig(**values)
        except Exception as exc:
            self.controller.staff.message = f"Zone not valid: {exc}"[:60]
            return
        self.config.zone = zone
        self.vision.set_zone(zone)
        self.controller.staff.message = "Zone applied (edit the config to keep it)"
        logger.info("zone set to %s", values)

    # ----------------------------------------------------------------- loop
    def _vision_step(self, now: float) -> tuple[Any, FrameResult | None, list[Effect]]:
        facts = read_status(self.vision.status())
        result = self.vision.latest_result()
        if result is not None and result.frame_index != self._last_result_index:
            self._last_result_index = result.frame_index
            self.result_frames += 1
        progress = 0.0
        if self.controller.screen is Screen.BASELINE:
            progress = float(self.vision.baseline_progress() or 0.0)
        snap = snapshot_from(result, facts.camera, progress, self.config.posture.visibility_gate)
        c = self.controller
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
        if self.qr is not None and c.screen in (Screen.CHECKIN, Screen.IDLE):
            frame = self.vision.latest_frame()
            if frame is not None:
                code = self.qr.scan(frame.image)
                if code:
                    effects += c.on_card(code, now, "qr")
        ready = getattr(self.vision, "is_ready", False)
        if callable(ready):  # a method on VisionService, a property elsewhere
            ready = ready()
        if not self.ready_sent and ready:
            self.ready_sent = True
            if self.notifier is not None:
                self.notifier.ready("camera and model up")
        return facts, result, effects

    def _view(self, now: float, facts: Any, result: FrameResult | None) -> ViewState:
        c = self.controller
        frame = self.vision.latest_frame()
        pose = None if result is None else (result.smoothed or result.pose)
        snap = c.vision
        zone = self.config.zone
        member = c.member
        cfg = self.config.checkin
        methods = tuple(m for m in ("card", "qr", "buttons", "guest") if getattr(cfg, m))
        view = ViewState(
            screen=c.screen,
            now=now,
            station=self.config.station.name,
            member_name=member.name if member else "Guest",
            frame=None if frame is None else frame.image,
            frame_index=-1 if frame is None else frame.index,
            mirror=self.config.camera.mirror,
            landmarks=None if pose is None else pose.image,
            others=[] if result is None else [p.image for p in result.others],
            posture=None if result is None else result.metrics.get("posture"),
            zone=(zone.x0, zone.y0, zone.x1, zone.y1),
            camera_state=facts.camera,
            camera_message=facts.last_error or "",
            whole_body=snap.whole_body,
            in_zone=snap.in_zone,
            side_view=snap.side_view,
            person=snap.person,
            ready_fraction=c.position_ready_fraction(now),
            baseline_progress=snap.baseline_progress,
            baseline_seconds=self.config.posture.baseline_seconds,
            screen_seconds=c.seconds_on_screen(now),
            controller=c,
            safety_reason=c.safety_reason,
            checkin_methods=methods,
            summary=self.summary,
        )
        if self.session is not None:
            view.session = self.session.view(now)
            view.cue = self.session.cue_view()
        view.staff = StaffView(
            camera=f"{facts.source or '?'} ({facts.camera})",
            model=facts.model,
            ui_fps=self.ui_fps,
            pose_fps=facts.pose_fps or self.pose_fps,
            dropped_frames=facts.dropped,
            config_path=str(self.options.config_path or "(built-in defaults)"),
            errors=list(self.errors),
            gpio_warning=self.gpio_warning,
            restart_needed=self.restart_needed,
        )
        return view

    def _draw(self, view: ViewState) -> None:
        surf = self.screen_surf
        try:
            self.screens[view.screen].draw(surf, view)
        except Exception as exc:
            # a broken screen must never take the kiosk down in front of a member
            logger.exception("drawing %s failed", view.screen.value)
            msg = f"{view.screen.value}: {type(exc).__name__}: {exc}"
            if not self.errors or self.errors[-1] != msg:
                self._error(msg)
            self._draw_error(msg)

    def _draw_error(self, message: str) -> None:
        from kiosk import theme as th
        from kiosk.widgets import blit_centered

        t = self.theme
        surf = self.screen_surf
        surf.fill(th.BACKGROUND)
        blit_centered(
            surf,
            t.text("Something went wrong — staff notified", t.px(0.06), th.CAUTION),
            (t.width // 2, t.height // 3),
        )
        blit_centered(
            surf, t.text(message[:90], t.px(0.03), th.MUTED), (t.width // 2, t.height // 2)
        )
        blit_centered(
            surf, t.text("Press STOP to go back", t.px(0.05)), (t.width // 2, int(t.height * 0.7))
        )

    def _screenshot(self, screen: Screen, now: float, t_rel: float) -> None:
        import pygame

        shots = self.options.screenshots
        if shots is None:
            return
        name = None
        if screen.value not in self._shots_taken:
            self._shots_taken.add(screen.value)
            name = f"{len(self._shots_taken):02d}_{screen.value}.png"
        elif t_rel - self._last_periodic >= SCREENSHOT_EVERY_S:
            name = f"t{t_rel:06.1f}_{screen.value}.png"
        if name is None:
            return
        self._last_periodic = t_rel
        try:
            shots.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.screen_surf, str(shots / name))
            self._screenshot_files.append(name)
        except Exception as exc:
            self._error(f"screenshot: {exc}")

    def _indicators(self) -> None:
        hw = self.hardware
        if hw is None:
            return
        screen = self.controller.screen
        if screen is Screen.SAFETY:
            hw.led.show_alert()
        elif screen is Screen.CAMERA_LOST:
            hw.led.show_attention()
        else:
            hw.led.show_ready()

    def _poll_reload(self) -> None:
        if self.reloader is None:
            return
        outcome = self.reloader.poll()
        if outcome is None:
            return
        if outcome.ok:
            self.config = outcome.config
            self.restart_needed = list(outcome.restart_needed)
            self.sound.set_volume(self.config.cues.volume)
            self.controller.staff_pin = self.config.staff.pin
            try:
                self.vision.set_zone(self.config.zone)
            except Exception as exc:
                self._error(f"zone: {exc}")
            self.controller.staff.message = "Config reloaded"
        else:
            for line in outcome.errors:
                self._error(line)
            self.controller.staff.message = "Config invalid — kept the old one"

    @property
    def ui_fps(self) -> float:
        """Frames drawn per second since the loop started."""
        elapsed = time.monotonic() - self._t0 if hasattr(self, "_t0") else 0.0
        return self.frames_drawn / elapsed if elapsed > 0 else 0.0

    @property
    def pose_fps(self) -> float:
        """New pose results per second since the loop started."""
        elapsed = time.monotonic() - self._t0 if hasattr(self, "_t0") else 0.0
        return self.result_frames / elapsed if elapsed > 0 else 0.0

    def run(self) -> dict[str, Any]:
        """Loop until ``seconds`` pass (or a quit); returns the run summary."""
        import pygame

        self._quit = False
        clock = pygame.time.Clock()
        self.vision.start()
        self._t0 = time.monotonic()
        if self.injector is not None:
            self.injector.start()
        script = sorted(self.options.script, key=lambda s: s[0])
        facts = read_status(None)
        try:
            while not self._quit:
                now = time.monotonic()
                t_rel = now - self._t0
                if self.options.seconds is not None and t_rel >= self.options.seconds:
                    break
                while script and script[0][0] <= t_rel:
                    _, action = script.pop(0)
                    try:
                        action(self)
                    except Exception as exc:
                        self._error(f"script: {exc}")
                try:
                    effects = self._handle_events(now)
                    facts, result, more = self._vision_step(now)
                    effects += more
                    effects += self.controller.tick(now)
                    self._apply(effects, now)
                    self._poll_reload()
                    self._indicators()
                    view = self._view(now, facts, result)
                except Exception as exc:
                    logger.exception("loop step failed")
                    self._error(f"loop: {type(exc).__name__}: {exc}")
                    view = ViewState(
                        screen=self.controller.screen, now=now, controller=self.controller
                    )
                self._draw(view)
                pygame.display.flip()
                self.frames_drawn += 1
                self._screenshot(view.screen, now, t_rel)
                if self.notifier is not None:
                    self.notifier.keepalive()
                # tick() sleeps whole milliseconds and tends to undershoot the rate asked for;
                # aiming 2 fps higher keeps the measured rate at or above display.fps
                clock.tick(self.fps + 2)
        finally:
            summary = self.run_summary(facts)
            self.close()
        return summary

    def run_summary(self, facts: Any) -> dict[str, Any]:
        """The one-line JSON summary's content."""
        return {
            "ui_fps": round(self.ui_fps, 1),
            "pose_fps": round(facts.pose_fps or self.pose_fps, 1),
            "dropped_frames": facts.dropped,
            "states_seen": list(self.controller.states_seen),
            "frames_drawn": self.frames_drawn,
            "size": list(self.screen_surf.get_size()),
            "screenshots": len(self._screenshot_files),
            "errors": self.errors[-5:],
            "gpio_warning": self.gpio_warning or None,
        }

    def close(self) -> None:
        """Stop everything (idempotent)."""
        import pygame

        if self.session is not None:
            try:
                self._end_session(time.monotonic())
            except Exception:
                logger.exception("ending the session failed")
        parts: list[tuple[str, Any, str]] = [
            ("injector", self.injector, "close"),
            ("vision", self.vision, "stop"),
            ("hardware", self.hardware, "close"),
            ("store", self.store, "close"),
            ("reloader", self.reloader, "close"),
            ("notifier", self.notifier, "close"),
            ("sound", self.sound, "close"),
        ]
        for name, part, method in parts:
            if part is None:
                continue
            try:
                getattr(part, method)()
            except Exception:
                logger.exception("closing %s failed", name)
        self.injector = None
        self.hardware = None
        self.store = None
        self.reloader = None
        self.notifier = None
        pygame.display.quit()


def run_kiosk(config: BackstepConfig, options: RunOptions) -> dict[str, Any]:
    """Build the app, run it, return the summary."""
    return KioskApp(config, options).run()


def summary_line(summary: dict[str, Any]) -> str:
    """The one line of JSON printed at exit."""
    return json.dumps(summary, separators=(",", ":"))
