"""Session programs: the planned blocks, their labels, scaling to a member, and the clock."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kiosk.config.schema import BackstepConfig, BlockKind, ProgramBlock
from kiosk.session.stats import Sample, SessionStats

logger = logging.getLogger(__name__)

__all__ = ["PlannedBlock", "Sample", "SessionClock", "SessionPlan", "SessionStats"]

#: Display titles of block kinds.
KIND_TITLES: dict[BlockKind, str] = {
    "warmup": "Warm-up",
    "backward": "Backward",
    "forward": "Forward",
    "rest": "Rest",
    "cooldown": "Cool-down",
}

#: Which way the member walks in each kind of block, in their own words (None: stand still).
#: The warm-up and cool-down are walked facing the console, as any treadmill walk.
KIND_DIRECTIONS: dict[BlockKind, str | None] = {
    "warmup": "FORWARD",
    "backward": "BACKWARD",
    "forward": "FORWARD",
    "rest": None,
    "cooldown": "FORWARD",
}


@dataclass(frozen=True, slots=True)
class PlannedBlock:
    """One block of a plan: kind, length in seconds, treadmill settings and its label."""

    kind: BlockKind
    seconds: float
    label: str
    speed_mph: float | None = None
    incline_percent: float | None = None

    @property
    def is_backward(self) -> bool:
        """True for the blocks the kiosk coaches (walking backwards)."""
        return self.kind == "backward"

    @property
    def direction(self) -> str | None:
        """ "BACKWARD" or "FORWARD" (the way to walk), None for a rest."""
        return KIND_DIRECTIONS[self.kind]

    @property
    def instruction(self) -> str:
        """What to do, direction first: "Walk BACKWARD · 1 mph", "Rest · hold the rails"."""
        if self.direction is None:
            return "Rest · hold the rails"
        parts = [f"Walk {self.direction}"]
        if self.speed_mph:
            parts.append(f"{self.speed_mph:g} mph")
        if self.incline_percent:
            parts.append(f"{self.incline_percent:g}%")
        return " · ".join(parts)

    @property
    def short_instruction(self) -> str:
        """The direction (or "Rest") with the speed: "FORWARD 3 mph"."""
        if self.direction is None:
            return "Rest"
        return f"{self.direction} {self.speed_mph:g} mph" if self.speed_mph else self.direction


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """A program as a sequence of :class:`PlannedBlock` (labels like "Backward 2 of 3")."""

    name: str
    blocks: tuple[PlannedBlock, ...]

    def __post_init__(self) -> None:
        if not self.blocks:
            raise ValueError(f"program '{self.name}' has no blocks")

    @classmethod
    def from_blocks(cls, name: str, blocks: Sequence[ProgramBlock]) -> SessionPlan:
        """Build a plan from config blocks; same-kind blocks are numbered "n of m"."""
        totals = {kind: sum(b.kind == kind for b in blocks) for kind in KIND_TITLES}
        seen: dict[BlockKind, int] = dict.fromkeys(KIND_TITLES, 0)
        planned = []
        for block in blocks:
            seen[block.kind] += 1
            title = block.name or KIND_TITLES[block.kind]
            if totals[block.kind] > 1:
                title = f"{title} {seen[block.kind]} of {totals[block.kind]}"
            planned.append(
                PlannedBlock(
                    block.kind, block.minutes * 60.0, title, block.speed_mph, block.incline_percent
                )
            )
        return cls(name, tuple(planned))

    @classmethod
    def from_config(cls, cfg: BackstepConfig, name: str | None = None) -> SessionPlan:
        """The named program (the first one when ``name`` is None); ValueError if unknown."""
        if name is None:
            name = next(iter(cfg.programs))
        if name not in cfg.programs:
            known = ", ".join(sorted(cfg.programs))
            raise ValueError(f"no program called '{name}' (the config has: {known})")
        return cls.from_blocks(name, cfg.programs[name])

    @property
    def total_s(self) -> float:
        """Planned length of the whole session."""
        return sum(b.seconds for b in self.blocks)

    @property
    def backward_s(self) -> float:
        """Planned time walking backwards."""
        return sum(b.seconds for b in self.blocks if b.is_backward)

    def starts(self) -> tuple[float, ...]:
        """Offset (s) at which each block begins."""
        offsets, t = [], 0.0
        for block in self.blocks:
            offsets.append(t)
            t += block.seconds
        return tuple(offsets)

    def scaled(self, minutes_for_backward: float) -> SessionPlan:
        """The same plan with backward blocks stretched to ``minutes_for_backward`` in all.

        Backward blocks keep their proportions; warm-up, rest and cool-down are unchanged
        (they are about the body, not the member's level). A plan without backward blocks
        comes back as it is.
        """
        if not 0 < minutes_for_backward <= 120:
            raise ValueError(
                f"minutes_for_backward must be in (0, 120], not {minutes_for_backward}"
            )
        if self.backward_s == 0:
            logger.warning("program '%s' has no backward block to scale", self.name)
            return self
        factor = minutes_for_backward * 60.0 / self.backward_s
        blocks = tuple(
            replace(b, seconds=b.seconds * factor) if b.is_backward else b for b in self.blocks
        )
        return SessionPlan(self.name, blocks)

    def with_intervals(self, backward_s: float = 60.0, forward_s: float = 60.0) -> SessionPlan:
        """The plan with each backward block split into alternating backward/forward blocks.

        Progression suggests forward/backward intervals once time and incline are maxed out
        (backward-walking.md, "Sessions"). Every backward block becomes backward blocks of
        about ``backward_s`` (its backward time is kept) with a ``forward_s`` forward block
        between two of them, at the same speed and incline; the other blocks stay as they
        are. Labels are renumbered ("Backward 2 of 6", "Forward 1 of 5").
        """
        if backward_s <= 0 or forward_s <= 0:
            raise ValueError("interval lengths must be positive")
        raw: list[PlannedBlock] = []
        for block in self.blocks:
            if not block.is_backward:
                raw.append(block)
                continue
            count = max(1, round(block.seconds / backward_s))
            piece = block.seconds / count
            for i in range(count):
                if i:
                    raw.append(replace(block, kind="forward", seconds=forward_s))
                raw.append(replace(block, seconds=piece))
        return SessionPlan(self.name, _relabelled(raw))

    @property
    def has_intervals(self) -> bool:
        """True when forward and backward blocks alternate somewhere in the plan."""
        kinds = [b.kind for b in self.blocks]
        return any({a, b} == {"forward", "backward"} for a, b in itertools.pairwise(kinds))

    def describe(self) -> str:
        """One sentence, e.g. "7 min: 2 min warm-up at 2 mph, 2.5 min backward at 1 mph, …"."""
        parts = []
        for block in self.blocks:
            part = f"{_minutes(block.seconds)} {block.label.lower()}"
            if block.label.lower() == KIND_TITLES[block.kind].lower():
                part = f"{_minutes(block.seconds)} {KIND_TITLES[block.kind].lower()}"
            settings = []
            if block.speed_mph is not None:
                settings.append(f"{block.speed_mph:g} mph")
            if block.incline_percent:
                settings.append(f"{block.incline_percent:g}% incline")
            if settings:
                part += " at " + ", ".join(settings)
            parts.append(part)
        return f"{_minutes(self.total_s)}: " + ", ".join(parts) + "."


def _relabelled(blocks: Sequence[PlannedBlock]) -> tuple[PlannedBlock, ...]:
    """Blocks with labels "Kind n of m" for kinds that occur more than once."""
    totals = {kind: sum(b.kind == kind for b in blocks) for kind in KIND_TITLES}
    seen: dict[BlockKind, int] = dict.fromkeys(KIND_TITLES, 0)
    out = []
    for block in blocks:
        seen[block.kind] += 1
        title = KIND_TITLES[block.kind]
        if totals[block.kind] > 1:
            title = f"{title} {seen[block.kind]} of {totals[block.kind]}"
        out.append(replace(block, label=title))
    return tuple(out)


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60.0, 1)
    return f"{minutes:g} min"


class SessionClock:
    """Where a session is in its plan; deterministic (every call passes ``now``).

    ``update(now)`` returns True when the block changed since the previous update (also
    when the session finishes), so the screen can announce "Backward 2 of 3". Properties
    describe the instant of the last call. Paused time does not count.
    """

    def __init__(self, plan: SessionPlan) -> None:
        self.plan = plan
        self._starts = plan.starts()
        self._started_at: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._skipped = 0.0
        self._now = 0.0
        self._last_index: int | None = None

    # -- control -----------------------------------------------------------------------

    def start(self, now: float) -> None:
        """Start the session at ``now`` (again from the beginning if already started)."""
        self._started_at, self._paused_at = now, None
        self._paused_total = self._skipped = 0.0
        self._now = now
        self._last_index = 0

    def pause(self, now: float) -> None:
        """Stop the clock (no effect when not running)."""
        self._now = now
        if self.is_running:
            self._paused_at = now

    def resume(self, now: float) -> None:
        """Continue after :meth:`pause`."""
        self._now = now
        if self._paused_at is not None:
            self._paused_total += now - self._paused_at
            self._paused_at = None

    def skip_block(self, now: float) -> None:
        """Jump to the start of the next block (staff or member choice)."""
        self._now = now
        if self._started_at is None or self.is_finished:
            return
        self._skipped += self.block_remaining_s

    def update(self, now: float) -> bool:
        """Advance to ``now``; True when the block index changed since the last update."""
        self._now = now
        index = self.block_index
        changed = self._last_index is not None and index != self._last_index
        self._last_index = index
        return changed

    # -- state at the last call ----------------------------------------------------------

    @property
    def now(self) -> float:
        """The time of the last call."""
        return self._now

    @property
    def is_started(self) -> bool:
        """True after :meth:`start`."""
        return self._started_at is not None

    @property
    def is_paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused_at is not None

    @property
    def is_running(self) -> bool:
        """Started, not paused, not finished."""
        return self.is_started and not self.is_paused and not self.is_finished

    @property
    def is_finished(self) -> bool:
        """True once the whole plan has elapsed."""
        return self.is_started and self.elapsed_s >= self.plan.total_s

    @property
    def elapsed_s(self) -> float:
        """Session time so far, pauses excluded, capped at the plan's length."""
        if self._started_at is None:
            return 0.0
        until = self._paused_at if self._paused_at is not None else self._now
        raw = until - self._started_at - self._paused_total + self._skipped
        return min(max(raw, 0.0), self.plan.total_s)

    @property
    def remaining_s(self) -> float:
        """Session time left."""
        return self.plan.total_s - self.elapsed_s

    @property
    def block_index(self) -> int:
        """Index of the current block (the last block once finished)."""
        elapsed = self.elapsed_s
        index = 0
        for i, start in enumerate(self._starts):
            if elapsed >= start:
                index = i
        return index

    @property
    def block(self) -> PlannedBlock:
        """The current block."""
        return self.plan.blocks[self.block_index]

    @property
    def block_elapsed_s(self) -> float:
        """Time spent in the current block."""
        return self.elapsed_s - self._starts[self.block_index]

    @property
    def block_remaining_s(self) -> float:
        """Time left in the current block."""
        return max(self.block.seconds - self.block_elapsed_s, 0.0)
