"""The kiosk's screen flow as pure logic: events and time in, screen changes and effects out."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.domain import INTERRUPTED
from kiosk.flow.checkin_entry import CheckinState
from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.effects import (
    AlertOff,
    AlertOn,
    BaselineSource,
    BeginSession,
    CheckIn,
    CheckinMethod,
    Effect,
    EndSession,
    PauseSession,
    PlaySound,
    ResumeSession,
    StartBaseline,
)
from kiosk.flow.safety_resume import SafetyResume
from kiosk.flow.staff_menu import STAFF_MENU, ZONE_EDGES, PinGuard, StaffState
from kiosk.flow.types import (
    LIVE_SCREENS,
    STAFF_ENTRY_SCREENS,
    FlowTimings,
    Member,
    Screen,
    VisionSnapshot,
)

__all__ = [
    "LIVE_SCREENS",
    "STAFF_ENTRY_SCREENS",
    "STAFF_MENU",
    "ZONE_EDGES",
    "CheckinState",
    "DigitEntry",
    "FlowTimings",
    "KioskController",
    "Member",
    "Screen",
    "StaffState",
    "VisionSnapshot",
]

logger = logging.getLogger(__name__)

#: What the loop tells `KioskController.on_belt` (from the treadmill's own speed).
BELT_STARTED, BELT_STOPPED = "belt_started", "belt_stopped"


class KioskController:
    """Decides which screen shows, from button presses, typed card codes, vision and time.

    Pure logic: every method takes ``now`` (seconds, monotonic) and returns the effects the
    app must carry out; the app reports back results (``on_checkin_result``,
    ``on_session_finished``). ``states_seen`` keeps the order screens were first shown.
    """

    def __init__(
        self,
        *,
        checkin_enabled: bool = True,
        guest_allowed: bool = True,
        buttons_checkin: bool = True,
        member_id_digits: int = 4,
        staff_pin: str = "2468",
        timings: FlowTimings | None = None,
        now: float = 0.0,
    ) -> None:
        self.checkin_enabled = checkin_enabled
        self.guest_allowed = guest_allowed
        self.buttons_checkin = buttons_checkin
        self.member_id_digits = member_id_digits
        self.staff_pin = staff_pin
        self.timings = timings or FlowTimings()
        self.screen = Screen.IDLE
        self.entered_at = now
        self.previous = Screen.IDLE
        self.member: Member | None = None
        self.vision = VisionSnapshot(camera="starting")
        self.safety_reason = ""
        #: the last safety stop: its words and whether the member is back in place
        self.safety = SafetyResume()
        self.states_seen: list[str] = [Screen.IDLE.value]
        #: wrong PINs and their lockout outlive each visit to the staff screen
        self.pin_guard = PinGuard()
        self.staff = StaffState(pin=DigitEntry(len(staff_pin)), guard=self.pin_guard)
        self.checkin = CheckinState(entry=DigitEntry(member_id_digits))
        self._ready_since: float | None = None
        self._lost_from: Screen | None = None
        self._session_active = False
        self._baseline_started_at = 0.0
        #: the pause was the belt's (a stopped belt), so a moving belt ends it
        self._belt_paused = False
        #: the belt started while nobody was in view: the session starts when someone is
        self._belt_waiting = False

    # ----------------------------------------------------------------- helpers
    @property
    def is_session_active(self) -> bool:
        """True between ``begin_session`` and ``end_session``."""
        return self._session_active

    def seconds_on_screen(self, now: float) -> float:
        """How long the current screen has been shown."""
        return max(0.0, now - self.entered_at)

    def _go(self, screen: Screen, now: float) -> None:
        if screen is self.screen:
            return
        logger.info("screen %s -> %s", self.screen.value, screen.value)
        self.previous = self.screen
        self.screen = screen
        self.entered_at = now
        if screen.value not in self.states_seen:
            self.states_seen.append(screen.value)
        if screen is Screen.POSITION:
            self._ready_since = None
        if screen is not Screen.PAUSE:
            self._belt_paused = False  # only a pause the belt made, still showing, is its own
        if screen not in (Screen.POSITION, Screen.BASELINE):
            self._belt_waiting = False

    def _end_session(self, now: float, effects: list[Effect], status: str | None = None) -> None:
        if self._session_active:
            effects.append(EndSession(status))
            self._session_active = False
        self._go(Screen.SUMMARY, now)

    def _to_idle(self, now: float) -> None:
        self.member = None
        self.checkin.reset()
        self._go(Screen.IDLE, now)

    def _begin_checkin_or_position(self, now: float) -> None:
        if self.checkin_enabled:
            self.checkin.reset()
            self._go(Screen.CHECKIN, now)
        else:
            self.member = Member()
            self._go(Screen.POSITION, now)

    def _open_staff(self, now: float) -> None:
        self.staff = StaffState(pin=DigitEntry(len(self.staff_pin)), guard=self.pin_guard)
        self._go(Screen.STAFF, now)

    # ------------------------------------------------------------------ inputs
    def on_button(self, name: str, kind: str, now: float) -> list[Effect]:
        """A button was pressed (``kind`` "press") or held (``kind`` "hold")."""
        effects: list[Effect] = []
        screen = self.screen
        if kind == "hold":
            if name == "select" and screen in STAFF_ENTRY_SCREENS:
                self._open_staff(now)
            elif name == "stop" and screen is Screen.SESSION:
                self._end_session(now, effects)
            return effects
        if screen is Screen.IDLE:
            if name == "start":
                self._begin_checkin_or_position(now)
        elif screen is Screen.CHECKIN:
            effects += self._checkin_button(name, now)
        elif screen is Screen.CHECKIN_REJECTED:
            if name == "stop":
                self._to_idle(now)
            elif name == "select" and self.guest_allowed:
                # the rejected screen offers the guest button it mentions
                self.member = Member()
                self._go(Screen.POSITION, now)
            else:
                self._go(Screen.CHECKIN, now)
        elif screen is Screen.POSITION:
            if name == "stop":
                self._to_idle(now)
            elif name == "start" and self.vision.person:
                effects += self._start_baseline(now)
        elif screen is Screen.BASELINE:
            if name == "stop":
                self._to_idle(now)
            elif name == "start" and self.vision.person:
                # skip the baseline: posture is then judged on the absolute limits
                effects += self._begin_session(now, baseline="none")
        elif screen is Screen.SESSION:
            if name == "start":
                effects.append(PauseSession())
                self._go(Screen.PAUSE, now)
            elif name == "stop":
                self._end_session(now, effects)
        elif screen is Screen.PAUSE:
            if name == "start":
                effects.append(ResumeSession())
                self._go(Screen.SESSION, now)
            elif name == "stop":
                self._end_session(now, effects)
        elif screen is Screen.SAFETY:
            if name == "stop":
                effects.append(AlertOff())
                self._end_session(now, effects)
            elif name == "start" and self.safety.is_back_in_place:
                effects += [AlertOff(), ResumeSession()]
                self._go(Screen.SESSION, now)
        elif screen is Screen.CAMERA_LOST:
            if name == "stop":
                if self._session_active:
                    self._end_session(now, effects)
                else:
                    self._to_idle(now)
        elif screen is Screen.SUMMARY:
            self._to_idle(now)
        elif screen is Screen.STAFF:
            effects += self._staff_button(name, now)
        return effects

    def on_card(self, code: str, now: float, method: CheckinMethod = "card") -> list[Effect]:
        """A card reader typed a code (or a QR code was read) and pressed Enter."""
        code = code.strip()
        # the summary stays until a button or the next member's card (issue 22)
        allowed = (Screen.IDLE, Screen.CHECKIN, Screen.CHECKIN_REJECTED, Screen.SUMMARY)
        if not code or self.screen not in allowed:
            return []
        if not self.checkin_enabled:
            return []
        if self.screen is not Screen.CHECKIN:
            self._go(Screen.CHECKIN, now)
        return [CheckIn(code, method)]

    def on_card_rejected(self, why: str, now: float) -> list[Effect]:
        """A card read was refused (too long): the check-in screen says so; nothing is looked up."""
        if self.screen not in (Screen.IDLE, Screen.CHECKIN, Screen.CHECKIN_REJECTED):
            return []
        if not self.checkin_enabled:
            return []
        if self.screen is not Screen.CHECKIN:
            self._go(Screen.CHECKIN, now)
        logger.info("card read refused: %s", why)
        return self.on_checkin_result(
            False, now, reason="That card could not be read. Please try again or see staff."
        )

    def on_checkin_result(
        self,
        ok: bool,
        now: float,
        *,
        member_id: str | None = None,
        name: str = "",
        reason: str = "",
        has_baseline: bool = False,
    ) -> list[Effect]:
        """The app's check-in service answered a ``check_in`` effect.

        ``has_baseline``: the member has a fresh stored baseline (the capture is skipped).
        """
        if self.screen not in (Screen.CHECKIN, Screen.CHECKIN_REJECTED):
            return []
        if ok:
            self.member = Member(
                member_id=member_id,
                name=name or "Member",
                method="checkin",
                has_baseline=has_baseline,
            )
            self._go(Screen.POSITION, now)
            return [PlaySound("good")]
        self.checkin.rejected_reason = reason or "Not recognised"
        self.checkin.reset()
        self._go(Screen.CHECKIN_REJECTED, now)
        return [PlaySound("caution")]

    def on_vision(self, snap: VisionSnapshot, now: float) -> list[Effect]:
        """The latest vision state (call every UI frame; cheap)."""
        self.vision = snap
        if self.screen is Screen.SAFETY:
            self.safety.update(snap, now)
        effects: list[Effect] = []
        # idle too: a station without a camera must say so, not wait for a member
        if snap.is_camera_lost and (self.screen in LIVE_SCREENS or self.screen is Screen.IDLE):
            self._lost_from = self.screen
            if self._session_active and self.screen is Screen.SESSION:
                effects.append(PauseSession())
            self._go(Screen.CAMERA_LOST, now)
            return effects
        if self.screen is Screen.CAMERA_LOST and not snap.is_camera_lost and snap.camera == "ok":
            back = self._lost_from or Screen.IDLE
            self._lost_from = None
            if back is Screen.BASELINE:
                back = Screen.POSITION
            if back is Screen.SESSION:
                effects.append(ResumeSession())
            self._go(back, now)
        return effects

    def on_vision_event(self, kind: str, data: dict[str, Any], now: float) -> list[Effect]:
        """A vision event (only ``safety`` changes the screen)."""
        if kind != "safety" or self.screen is not Screen.SESSION:
            return []
        self.safety_reason = str(data.get("reason", "unknown"))
        direction = data.get("direction")
        self.safety.start(
            self.safety_reason, direction if isinstance(direction, str) else None, now
        )
        self._go(Screen.SAFETY, now)
        return [PauseSession(), AlertOn(self.safety_reason)]

    def on_placement_judged(
        self, zone: dict[str, float] | None, now: float, console_side: str | None = None
    ) -> list[Effect]:
        """The app judged the placement check; ``zone`` is the suggestion START may save
        (with ``console_side``, the console's image side read from the walk).

        The report arriving counts as activity: staff get the whole time-out to read it.
        """
        if self.screen is not Screen.STAFF or not self.staff.checking_placement:
            return []
        self.entered_at = now
        self.staff.placement_judged(zone, console_side)
        return []

    def on_belt(self, event: str, now: float) -> list[Effect]:
        """The treadmill's belt started moving (`BELT_STARTED`) or stopped (`BELT_STOPPED`).

        A checked-in member waiting to start (position or baseline) starts the session
        (on the stored baseline, else on the absolute limits, as START skipping it); a stopped
        belt pauses a session and a moving one resumes it, only when the belt paused it.
        """
        screen = self.screen
        if event == BELT_STARTED and screen in (Screen.POSITION, Screen.BASELINE):
            # as START: nobody in view starts nothing yet (someone may be on the side rails
            # out of the picture); the session starts once they are seen on the moving belt
            self._belt_waiting = not self.vision.person
            if self.member is not None and self.vision.person:
                return self._begin_on_belt(now)
        elif event == BELT_STOPPED:
            self._belt_waiting = False
        if event == BELT_STOPPED and screen is Screen.SESSION:
            self._belt_paused = True
            self._go(Screen.PAUSE, now)
            return [PauseSession()]
        elif event == BELT_STARTED and screen is Screen.PAUSE and self._belt_paused:
            self._belt_paused = False
            self._go(Screen.SESSION, now)
            return [ResumeSession()]
        return []

    def _begin_on_belt(self, now: float) -> list[Effect]:
        self._belt_waiting = False
        member = self.member
        stored = member is not None and member.has_baseline and self.screen is Screen.POSITION
        return self._begin_session(now, baseline="stored" if stored else "none")

    def on_session_finished(self, now: float) -> list[Effect]:
        """The program's last block ended."""
        effects: list[Effect] = []
        if self._session_active:
            self._end_session(now, effects)
        return effects

    def tick(self, now: float) -> list[Effect]:
        """Time passed: auto-advance and time-outs."""
        effects: list[Effect] = []
        t = self.timings
        on = self.seconds_on_screen(now)
        screen = self.screen
        if self._belt_waiting and self.vision.person and self.member is not None:
            return self._begin_on_belt(now)
        if screen is Screen.POSITION:
            if self.vision.is_ready_to_start:
                if self._ready_since is None:
                    self._ready_since = now
                elif now - self._ready_since >= t.position_stable_s and on >= t.welcome_s:
                    # the welcome (name, today's plan) is read before it moves on by itself
                    effects += self._start_baseline(now)
            else:
                self._ready_since = None
                if on >= t.position_timeout_s:
                    self._to_idle(now)
        elif screen is Screen.BASELINE:
            if self.vision.baseline_progress >= 1.0 and on > 0.2:
                effects += self._begin_session(now, baseline="captured")
            elif on >= t.baseline_timeout_s * (2.0 if self.vision.baseline_walking else 1.0):
                # a member who cannot stand still for the baseline still gets coached, on
                # the absolute limits (the session screen and record say so); a walking
                # baseline counts steps, so it gets twice the time; nobody in view means
                # back to positioning
                if self.vision.person:
                    effects += self._begin_session(now, baseline="none")
                else:
                    self._go(Screen.POSITION, now)
        elif screen is Screen.CHECKIN and on >= t.checkin_timeout_s:
            self._to_idle(now)
        elif screen is Screen.CHECKIN_REJECTED and on >= t.rejected_s:
            self._go(Screen.CHECKIN, now)
        elif (
            screen is Screen.SUMMARY
            and t.summary_timeout_s is not None
            and on >= t.summary_timeout_s
        ):
            self._to_idle(now)
        elif screen is Screen.PAUSE and on >= t.pause_timeout_s:
            self._end_session(now, effects)
        elif screen is Screen.STAFF and on >= t.staff_timeout_s:
            self._to_idle(now)
        elif screen is Screen.CAMERA_LOST and self._session_active and on >= t.camera_lost_end_s:
            # the member has most likely left; what was recorded is kept, as interrupted
            logger.warning("camera lost for %.0f s: ending the session", on)
            self._lost_from = None
            self._end_session(now, effects, INTERRUPTED)
        return effects

    def position_ready_fraction(self, now: float) -> float:
        """0..1 of the stable time needed before Position advances by itself."""
        if self._ready_since is None:
            return 0.0
        return min(1.0, (now - self._ready_since) / self.timings.position_stable_s)

    # --------------------------------------------------------------- sub-flows
    def _start_baseline(self, now: float) -> list[Effect]:
        member = self.member
        if member is not None and member.has_baseline:
            # a fresh stored baseline: no need to stand still again
            return self._begin_session(now, baseline="stored")
        self._baseline_started_at = now
        self._go(Screen.BASELINE, now)
        return [StartBaseline()]

    def _begin_session(self, now: float, baseline: BaselineSource) -> list[Effect]:
        """``baseline``: "captured" (just collected), "stored" or "none" (absolute limits)."""
        self._session_active = True
        self._go(Screen.SESSION, now)
        return [BeginSession(baseline)]

    def _checkin_button(self, name: str, now: float) -> list[Effect]:
        effects, outcome = self.checkin.press(name, self.buttons_checkin)
        if outcome == "idle":
            self._to_idle(now)
        elif outcome == "guest" and self.guest_allowed:
            self.member = Member()
            self._go(Screen.POSITION, now)
        return effects

    def _staff_button(self, name: str, now: float) -> list[Effect]:
        self.entered_at = now  # any activity keeps the staff screen open
        effects, leave = self.staff.press(name, self.staff_pin, now)
        if leave:
            self._to_idle(now)
        return effects
