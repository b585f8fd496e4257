"""Block changes as a trainer runs them: a countdown that says what to do, then time to settle."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from kiosk.session.cue_catalog import Cue, Direction, transition_cue
from kiosk.session.plans import PlannedBlock, SessionClock
from kiosk.session.views import TransitionView

logger = logging.getLogger(__name__)

#: Defaults of ``cues.countdown_s``, ``cues.settle_steps`` and ``cues.settle_s``: the countdown
#: before a change of direction or pace, then no fault cue until this many steps or this long,
#: whichever comes first (coaching.md, eng.: 5 s; 4 steps or 5 s).
COUNTDOWN_S = 5.0
SETTLE_STEPS = 4
SETTLE_S = 5.0
#: The belt speed to turn around at, mph (coaching.md: "Slow the belt to 1 mph").
TURN_SPEED_MPH = 1.0


def block_direction(block: PlannedBlock) -> Direction | None:
    """ "backward" or "forward" for a walking block, None for a rest."""
    if block.direction is None:
        return None
    return "backward" if block.direction == "BACKWARD" else "forward"


def needs_countdown(before: PlannedBlock, after: PlannedBlock) -> bool:
    """True when the member must change direction, pace or incline between the two blocks."""
    return (
        block_direction(before) != block_direction(after)
        or (before.speed_mph or 0.0) != (after.speed_mph or 0.0)
        or (before.incline_percent or 0.0) != (after.incline_percent or 0.0)
    )


def _mph(value: float) -> str:
    return f"{value:g} mph"


def transition_steps(before: PlannedBlock, after: PlannedBlock) -> tuple[str, ...]:
    """What to do with body and belt, in order ("Hold the rails", "slow the belt to 1 mph" …)."""
    was, will = block_direction(before), block_direction(after)
    speed_before, speed_after = before.speed_mph, after.speed_mph
    steps = ["Hold the rails"]
    if will is None:
        steps.append("stop the belt")
    elif was != will:
        slow = min(TURN_SPEED_MPH, speed_after or TURN_SPEED_MPH)
        face = "the back" if will == "backward" else "the console"
        if was is None:  # after a rest the belt stands: face the right way, then start it
            steps += [f"face {face}", f"start the belt at {_mph(slow)}"]
        else:
            if speed_before is None or speed_before > slow:
                steps.append(f"slow the belt to {_mph(slow)}")
            steps.append(f"turn to face {face}")
        if speed_after is not None and speed_after != slow:
            steps.append(f"then {_mph(speed_after)}")
    elif speed_after is not None and speed_after != speed_before:
        verb = "speed the belt up to" if (speed_before or 0.0) < speed_after else "slow the belt to"
        steps.append(f"{verb} {_mph(speed_after)}")
    if will is not None and (after.incline_percent or 0.0) != (before.incline_percent or 0.0):
        steps.append(f"set the incline to {after.incline_percent or 0:g}%")
    return tuple(steps)


def transition_text(steps: tuple[str, ...]) -> str:
    """The steps as one banner line: "Hold the rails · slow the belt to 1 mph · …"."""
    return " · ".join(steps)


@dataclass(frozen=True, slots=True)
class Countdown:
    """The countdown in force: ends at ``ends_at`` (the block change), with its words."""

    next_index: int
    steps: tuple[str, ...]
    title: str
    cue: Cue


class TransitionGuide:
    """Follows the session clock: the countdown before each change, the settling after it.

    Call :meth:`update` every tick while the clock runs; it returns the countdown's cue
    while one is due (None otherwise). :meth:`block_changed` starts the settling window;
    :meth:`step` counts steps inside it; :attr:`settling` says whether faults stay quiet.
    """

    def __init__(
        self,
        clock: SessionClock,
        countdown_s: float = COUNTDOWN_S,
        settle_steps: int = SETTLE_STEPS,
        settle_s: float = SETTLE_S,
    ) -> None:
        self.clock = clock
        self.countdown_s = countdown_s
        self.settle_steps = settle_steps
        self.settle_s = settle_s
        self.countdown: Countdown | None = None
        self._announced: set[int] = set()
        self._settle_until = -math.inf
        self._settle_steps = 0

    def update(self, now: float) -> Countdown | None:
        """The countdown due at ``now`` (None outside the last ``countdown_s`` of a block)."""
        c = self.clock
        nxt = c.block_index + 1
        blocks = c.plan.blocks
        due = (
            c.is_started
            and not c.is_finished
            and nxt < len(blocks)
            and c.block_remaining_s <= self.countdown_s
            and needs_countdown(blocks[nxt - 1], blocks[nxt])
        )
        if not due:
            self.countdown = None
            return None
        if self.countdown is None or self.countdown.next_index != nxt:
            after = blocks[nxt]
            steps = transition_steps(blocks[nxt - 1], after)
            self.countdown = Countdown(
                nxt, steps, f"Next: {after.label}", transition_cue(transition_text(steps))
            )
        return self.countdown

    def is_new(self, countdown: Countdown) -> bool:
        """True the first time this countdown is asked about (sound its tone once)."""
        if countdown.next_index in self._announced:
            return False
        self._announced.add(countdown.next_index)
        return True

    def view(self) -> TransitionView | None:
        """What the countdown overlay shows (None when no countdown runs)."""
        cd = self.countdown
        if cd is None:
            return None
        left = max(0, math.ceil(self.clock.block_remaining_s - 1e-6))
        after = self.clock.plan.blocks[cd.next_index]
        return TransitionView(
            seconds_left=left,
            title=cd.title,
            steps=list(cd.steps),
            instruction=after.instruction,
        )

    def block_changed(self, now: float) -> float:
        """A block began at ``now``: returns until when faults stay quiet (at most)."""
        self.countdown = None
        self._settle_until = now + self.settle_s
        self._settle_steps = 0
        return self._settle_until

    def step(self, now: float) -> bool:
        """A step inside the settling window; True when it ends the window (enough steps)."""
        if now >= self._settle_until:
            return False
        self._settle_steps += 1
        if self._settle_steps >= self.settle_steps:
            self._settle_until = now
            return True
        return False

    def settling(self, now: float) -> bool:
        """True while a block change is still settling."""
        return now < self._settle_until
