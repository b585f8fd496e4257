"""One member's session while it runs: plan and clock, stats, cues, recording, summary."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from kiosk.config.schema import BackstepConfig
from kiosk.domain import COMPLETED
from kiosk.session.announce import CueAnnouncement
from kiosk.session.cue_catalog import TALLEST_POSTURE, WRONG_WAY
from kiosk.session.cues import CueEngine
from kiosk.session.direction import FacingWatch
from kiosk.session.lean_gauge import gauge_points_right, lean_reading, number
from kiosk.session.machine import MachineTracker
from kiosk.session.machine_report import machine_summary
from kiosk.session.plans import KIND_TITLES, PlannedBlock, SessionClock, SessionPlan
from kiosk.session.stats import SessionStats
from kiosk.session.transitions import TransitionGuide, block_direction
from kiosk.session.views import CueView, SessionView
from vision.metrics.classify import incline_deg
from vision.types import Event, FrameMetrics, FrameResult

logger = logging.getLogger(__name__)

#: Numbers on screen change at most this often (more often reads as flicker).
NUMBER_REFRESH_S = 0.25


class SessionRun:
    """Feeds each new vision result to the stats, the cue engine and the recorder."""

    def __init__(
        self,
        config: BackstepConfig,
        plan: SessionPlan,
        member_name: str,
        recorder: Any = None,
        member_id: str | None = None,
        on_block: Callable[[PlannedBlock], None] | None = None,
        baseline: str = "none",
        baseline_kind: str | None = None,
        hidden_lean_deg: float | None = None,
        placement: dict[str, object] | None = None,
        machine: MachineTracker | None = None,
    ) -> None:
        self.config = config
        #: the belt and the heart (None when neither link is configured)
        self.machine = machine
        #: called with the deck's incline (%) when the treadmill reports another one
        self.on_incline: Callable[[float], None] | None = None
        self._incline_pct = 0.0
        #: the station's last placement check (verdict per line), kept with the record
        self.placement = placement
        #: where the posture reference came from: "captured", "stored" or "none"
        self.baseline_source = baseline
        #: "standing" or "walking" (None without a baseline)
        self.baseline_kind = None if baseline == "none" else baseline_kind
        #: the baseline's trunk lean when it lay outside the neutral band (judged from its
        #: edge; the member is told to find their tallest posture), else None
        self.hidden_lean_deg = hidden_lean_deg
        #: called with the new block at the start and at each block change (the incline)
        self.on_block = on_block
        self.plan = plan
        self.member_name = member_name
        self.member_id = member_id
        self.clock = SessionClock(plan)
        self.stats = SessionStats()
        self.cues = CueEngine(config.cues, config.posture)
        c = config.cues
        self.transitions = TransitionGuide(self.clock, c.countdown_s, c.settle_steps, c.settle_s)
        self.facing = FacingWatch(config.safety.console_side)
        if machine is not None:
            self.cues.wording = machine.wording  # the belt's and the heart's cues carry numbers
        #: called with (direction, console side) at each block: drift is judged per block
        self.on_walking: Callable[[str | None, str | None], None] | None = None
        #: the cue to sound (and speak) now; the app takes it with `take_announcement`
        self.announcement: CueAnnouncement | None = None
        self.recorder = recorder
        self._view = SessionView()
        self._view_at = -1e9
        self._last_frame = -1
        self._metrics = FrameMetrics()
        self.started_at = 0.0
        self.finished = False

    def start(self, now: float) -> None:
        """Start the clock and the recording."""
        self.started_at = now
        self.stats = SessionStats(t0=now)  # sample times count from the session's start
        self.clock.start(now)
        self._block_changed()
        band = self.config.posture.neutral_band_deg
        if self.hidden_lean_deg is not None:
            self.cues.note(TALLEST_POSTURE)
        if self.recorder is not None:
            try:
                self.recorder.start(self.member_id, self.plan.name, now)
                # The record says what posture was judged against (never silently absolute),
                # and when the baseline leaned too far to be anyone's upright.
                data: dict[str, Any] = {"source": self.baseline_source, "kind": self.baseline_kind}
                if self.hidden_lean_deg is not None:
                    data["outside_band"] = True
                    data["measured_lean_deg"] = round(self.hidden_lean_deg, 1)
                    data["judged_from_deg"] = round(math.copysign(band, self.hidden_lean_deg), 1)
                self.recorder.add_event(now, "baseline", data)
                if self.placement is not None:
                    self.recorder.add_event(now, "placement", self.placement)
            except Exception:
                logger.exception("recorder start failed")

    def baseline_note(self, metrics: FrameMetrics) -> str:
        """A line for the screen when no baseline is in force ("" when one is).

        Said in the member's words: what the gauge is measured against, never "safety
        limits" or "baseline".
        """
        if metrics.baseline or (metrics.posture is None and self.baseline_source != "none"):
            return ""
        return "Wide limits: not tuned to you"  # short: fits under the gauge on a 7" screen

    def pause(self, now: float) -> None:
        """Stop the clock (pause, safety, camera lost)."""
        self.clock.pause(now)

    def resume(self, now: float) -> None:
        """Continue the clock."""
        self.clock.resume(now)

    def update(self, now: float, result: FrameResult | None, events: list[Event]) -> bool:
        """Feed the latest result (once per new frame) and events; True when the plan ended."""
        if self.clock.update(now) and not self.clock.is_finished:
            self._block_changed()
        running = self.clock.is_running
        fresh = result is not None and result.frame_index != self._last_frame
        if fresh and result is not None:
            self._last_frame = result.frame_index
            self._metrics = result.metrics
        if running:
            self._coach_transition(now)
        machine_events = self._follow_machine(now, running)
        if running and machine_events and not (fresh or events):
            self.cues.update(now, self._metrics, machine_events)  # the belt, between frames
            self._announce(now)
        elif running and (fresh or events):
            sample = None if self.machine is None else self.machine.sample
            done = self.stats.add(now, self._metrics, events, sample)
            self._settle(now, events)
            self.cues.update(now, self._metrics, [*events, *machine_events])
            self._announce(now)
            if self.recorder is not None:
                try:
                    if done:
                        self.recorder.add_samples(now, done)
                    if events:
                        self.recorder.add_events(events)
                except Exception:
                    logger.exception("recorder failed")
        return self.clock.is_finished

    def _follow_machine(self, now: float, running: bool) -> list[Event]:
        """Read the belt and the heart; the incline they report; their cues' events."""
        m = self.machine
        if m is None:
            return []
        m.poll(now)
        block = self.clock.block
        m.update(now, running, block.is_backward, number(self._metrics.cadence_spm))
        incline = m.incline_pct
        if incline is None:  # no fresh treadmill: the block's (the staff file's) incline
            incline = block.incline_percent or 0.0
        if abs(incline - self._incline_pct) >= 0.5:
            self._set_incline(incline)
        if not running:
            m.restart_holds()  # a pause's time is no time spent off the target
            return []
        if block_direction(block) is None:
            return []
        settling = self.transitions.countdown is not None or self.transitions.settling(now)
        return m.cue_events(now, block.speed_mph, settling)

    def _set_incline(self, percent: float) -> None:
        """Judge lean against this deck incline (the cue engine's net and the analyzer)."""
        self._incline_pct = percent
        self.cues.set_incline(incline_deg(percent))
        if self.on_incline is not None:
            try:
                self.on_incline(percent)
            except Exception:
                logger.exception("incline handler failed")

    @property
    def direction(self) -> str | None:
        """ "backward" / "forward": how the current block is walked (None: a rest)."""
        return block_direction(self.clock.block)

    def _coach_transition(self, now: float) -> None:
        countdown = self.transitions.update(now)
        self.cues.set_transition(None if countdown is None else countdown.cue)

    def _settle(self, now: float, events: list[Event]) -> None:
        """Steps end a block change's settling; after it, a wrong way is told once."""
        for event in events:
            if event.kind == "step" and self.transitions.step(event.t):
                self.cues.mute(now)  # enough steady steps: faults may be cued again
        direction = block_direction(self.clock.block)
        if self.transitions.settling(now) or direction is None:
            return
        known = self.facing.console_side
        if self.facing.update(now, self._metrics, direction):
            self.cues.note(WRONG_WAY[direction])
        if known is None and self.facing.console_side is not None:
            self._tell_walking()

    def _announce(self, now: float) -> None:
        """Record every cue that goes up or sounds, and hand the sounding one to the app."""
        cue = self.cues.current
        if cue is None or not (self.cues.is_new or self.cues.announce):
            return
        sounded = self.cues.announce
        countdown = self.transitions.countdown
        if cue.level == "transition" and countdown is not None:
            sounded = self.transitions.is_new(countdown)
            if not self.cues.is_new and not sounded:
                return
        block = self.clock.block
        item = CueAnnouncement(
            at=now,
            key=cue.key,
            text=cue.text,
            level=cue.level,
            tone=cue.tone if sounded else None,
            block_index=self.clock.block_index,
            block=block.label,
            direction=block_direction(block),
            reminder=self.cues.is_reminder,
            spoken=cue.spoken,
        )
        if sounded:
            self.announcement = item
        if self.recorder is not None:
            try:
                self.recorder.add_event(now, "cue", item.record())
            except Exception:
                logger.exception("recorder failed")

    def take_announcement(self) -> CueAnnouncement | None:
        """The cue to sound or speak now, once (None when nothing new): the sound hook."""
        item, self.announcement = self.announcement, None
        return item

    def _tell_walking(self) -> None:
        if self.on_walking is not None:
            try:
                self.on_walking(self.direction, self.facing.console_side)
            except Exception:
                logger.exception("walking direction handler failed")

    def _block_changed(self) -> None:
        block = self.clock.block
        logger.info(
            "block %d/%d: %s", self.clock.block_index + 1, len(self.plan.blocks), block.label
        )
        now = self.clock.now
        settle_until = self.transitions.block_changed(now)
        direction = block_direction(block)
        if direction is None:
            settle_until = now + block.seconds  # a rest: nothing to coach
        self.cues.set_transition(None)
        self._incline_pct = block.incline_percent or 0.0
        if self.machine is not None and self.machine.incline_pct is not None:
            self._incline_pct = self.machine.incline_pct  # the deck's own, while fresh
        incline = incline_deg(self._incline_pct)
        self.cues.set_block(now, direction or self.cues.direction, incline, settle_until)
        self.facing.new_block()
        self._tell_walking()
        if self.on_block is not None:
            try:
                self.on_block(block)
            except Exception:
                logger.exception("block change handler failed")
        if self.machine is not None and self.machine.incline_pct is not None:
            self._set_incline(self._incline_pct)  # the deck's own, not the block's

    @property
    def backward_minutes_done(self) -> float:
        """Minutes spent in backward blocks so far (paused time does not count)."""
        c = self.clock
        if c.is_finished:
            return self.plan.backward_s / 60.0
        blocks = self.plan.blocks
        done = sum(b.seconds for b in blocks[: c.block_index] if b.is_backward)
        if c.block.is_backward:
            done += c.block_elapsed_s
        return done / 60.0

    def cue_view(self) -> CueView | None:
        """The current cue for the banner."""
        cue = self.cues.current
        if cue is None:
            return None
        return CueView(cue.text, cue.colour_role, cue.icon, cue.level)

    def view(self, now: float) -> SessionView:
        """Numbers for the screen, refreshed at most every ``NUMBER_REFRESH_S`` (at once when
        a countdown starts or ends, so the overlay and the banner agree)."""
        counting = self.transitions.countdown is not None
        fresh = counting == (self._view.transition is not None)
        if fresh and now - self._view_at < NUMBER_REFRESH_S:
            return self._view
        self._view_at = now
        m = self._metrics
        c = self.clock
        block = c.block
        label, lean, warn, back_warn = lean_reading(m, self.config.posture)
        points_right = gauge_points_right(m, self.config.camera.mirror)
        self._view = SessionView(
            block_name=block.label,
            block_index=c.block_index,
            block_count=len(self.plan.blocks),
            block_kind=block.kind,
            elapsed_s=c.block_elapsed_s,
            remaining_s=c.block_remaining_s,
            total_remaining_s=c.remaining_s,
            speed_mph=block.speed_mph,
            incline_percent=block.incline_percent,
            pct_upright=self.stats.upright_percent,
            streak_s=self.stats.current_streak_s,
            lean_deg=lean,
            lean_warn_deg=warn,
            lean_back_warn_deg=back_warn,
            lean_label=label,
            lean_points_right=points_right,
            baseline_note=self.baseline_note(m),
            core_score=number(m.core_score),
            cadence_spm=number(m.cadence_spm),
            posture=m.posture,
            instruction=block.instruction,
            next_instruction=self._next_instruction(),
            blocks=[(b.seconds, b.is_backward) for b in self.plan.blocks],
            session_elapsed_s=c.elapsed_s,
            transition=self.transitions.view(),
            machine=None if self.machine is None else self.machine.view(),
        )
        return self._view

    def _next_instruction(self) -> str:
        """What the next block asks for ("FORWARD 3 mph"), or "Finish" after the last."""
        i = self.clock.block_index + 1
        blocks = self.plan.blocks
        if i >= len(blocks):
            return "Finish"
        nxt, now = blocks[i], blocks[i - 1]
        if nxt.direction is None or nxt.direction == now.direction:
            # same way (e.g. forward into the cool-down): name the block, not the direction
            return KIND_TITLES[nxt.kind]
        return nxt.short_instruction

    def finish(self, now: float, status: str = COMPLETED) -> dict[str, Any]:
        """End the session; returns its summary (also written by the recorder).

        Besides the `SessionStats` summary it holds what `kiosk.session.progression` reads
        (``backward_minutes`` done, ``upright_share`` 0-1, ``incline_percent``,
        ``intervals``), the planned backward minutes and the cues shown by kind.
        """
        self.clock.update(now)
        self.finished = True
        tail = self.stats.flush()
        if tail is not None and self.recorder is not None:
            try:
                self.recorder.add_samples(now, [tail])
            except Exception:
                logger.exception("recorder failed")
        summary = self.stats.summary()
        summary["backward_minutes"] = round(self.backward_minutes_done, 2)
        # the session's own clock (pauses excluded), for the summary's "Total" (issue 22)
        summary["session_s"] = round(self.clock.elapsed_s, 1)
        summary["planned_backward_minutes"] = round(self.plan.backward_s / 60.0, 2)
        pct = summary.get("upright_percent")
        summary["upright_share"] = None if pct is None else round(pct / 100.0, 3)
        summary["incline_percent"] = max(
            (b.incline_percent or 0.0 for b in self.plan.blocks if b.is_backward), default=0.0
        )
        summary["intervals"] = self.plan.has_intervals
        summary["cues"] = {str(kind): int(n) for kind, n in self.cues.shown.items()}
        summary["program"] = self.plan.name
        summary["baseline"] = self.baseline_source
        summary["baseline_kind"] = self.baseline_kind
        summary["status"] = status
        if self.machine is not None:
            summary.update(machine_summary(self.stats.all_samples(), self.machine.rules.units))
        if self.recorder is not None:
            try:
                self.recorder.finish(status, summary, now)
            except Exception:
                logger.exception("recorder finish failed")
        return summary
