"""The cue engine: turns analyzer events into the one cue to show now.

It decides only *what to show*, never whether a fault exists: the analyzer is the one place
that decides a fault exists and has persisted, and says so with ``fault`` {fault, severity?}
/ ``fault_cleared`` events; ``step`` {toe_first} events feed the engine's own ``heel_first``
(more than half of the last ``steps_window`` steps, cleared at a third); ``safety`` shows at
once for ``safety_display_s``. Metrics are read for ``posture`` (nobody in view: nothing to
coach, no praise; a lean state: no praise) and ``trunk_lean_deg`` (the safety net).

How each cue is chosen (priorities, timings, directions) is told in docs/coaching.md.
Scheduling: safety > urgent > transition > notes > posture > core > steps > encouragement.
Nothing here reads a clock: the caller passes ``now``.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kiosk.config.schema import CueConfig
from kiosk.session.cue_catalog import (
    ALERT_CUES,
    BACKWARD_ONLY,
    ENCOURAGEMENT,
    FAULT_CUES,
    GENERIC_SAFETY,
    PRIORITY,
    URGENT_CUES,
    Cue,
    CueKind,
    Direction,
    escalated_cue,
    fault_cue,
    fault_rank,
    praise_cue,
    safety_cue,
    with_text,
)
from kiosk.session.safety_net import net_fault
from vision.metrics.classify import ABSENT_STATES
from vision.metrics.settings import PostureConfig
from vision.types import Event, FrameMetrics

logger = logging.getLogger(__name__)

#: Firmer versions of a cue already up: not new coaching (not counted in max_per_minute).
_ALERT_KEYS = frozenset(c.key for c in (*ALERT_CUES.values(), *URGENT_CUES.values()))
#: A lean past a safety-net limit this long gets the urgent cue (one glitchy frame does not).
NET_PERSIST_S = 0.5


@dataclass
class _Fault:
    flagged: bool = False  # set by events: fault / fault_cleared, or the step rule
    severity: str | None = None  # from the fault event ("warn" / "alert")
    active: bool = False
    cued: bool = False  # its cue has been on screen during this episode
    since: float = -math.inf  # when this episode began
    cleared_at: float | None = None  # a clear within the dip grace keeps the episode


class CueEngine:
    """Decides, tick by tick, which :class:`Cue` the banner shows (or None)."""

    def __init__(self, cfg: CueConfig, posture: PostureConfig | None = None) -> None:
        self.cfg = cfg
        self.posture = posture or PostureConfig()
        self.reset()

    def reset(self) -> None:
        """Forget everything: a new session starts."""
        self._faults: dict[str, _Fault] = {name: _Fault() for name in FAULT_CUES}
        self._steps: deque[bool] = deque(maxlen=self.cfg.steps_window)
        self._current: Cue | None = None
        self._current_fault: str | None = None
        self._shown_at = -math.inf
        self._last_seen: dict[str, float] = {}
        self._recent: deque[float] = deque()
        self._safety: Cue = GENERIC_SAFETY
        self._safety_until = -math.inf
        self._praise: Cue | None = None
        self._quiet_since: float | None = None
        self._enc_index = 0
        self._now = -math.inf
        self._is_new = False
        self._absent_since: float | None = None
        self._praise_at = math.inf  # praise waits until the correction has held
        self._reminded_at = -math.inf
        self._reminder = False
        self._sounded: dict[str, float] = {}  # cue key -> when it last sounded
        self._announce = False
        self.direction: Direction = "backward"
        self._incline_deg = 0.0
        self._mute_until = -math.inf
        self._transition: Cue | None = None
        self._notes: deque[Cue] = deque()
        self._net: str | None = None  # the lean fault past its safety-net limit, if any
        self._net_since: float | None = None
        self._upright = False
        #: the words of a fault's cue when they carry numbers (the belt, the heart)
        self.wording: dict[str, str] = {}
        #: Reminders sounded (the same cue again while its fault lasts).
        self.reminders = 0
        #: How many cues of each kind appeared (for the session summary).
        self.shown: dict[CueKind, int] = dict.fromkeys(PRIORITY, 0)
        #: How many times each cue key appeared.
        self.shown_keys: Counter[str] = Counter()

    # -- public state ------------------------------------------------------------------

    @property
    def current(self) -> Cue | None:
        """The cue returned by the last :meth:`update`."""
        return self._current

    @property
    def is_new(self) -> bool:
        """True when the last :meth:`update` put a new cue up or sounded a reminder of the
        current one."""
        return self._is_new or self._reminder

    @property
    def is_reminder(self) -> bool:
        """True when the last :meth:`update` sounded a reminder of the cue already up."""
        return self._reminder

    @property
    def announce(self) -> bool:
        """True when the last :meth:`update`'s cue should sound (and be spoken) now.

        A new cue or a reminder sounds, except that the same words never sound again within
        ``reminder_every_s`` (a fault that comes back soon shows silently).
        """
        return self._announce

    @property
    def active_faults(self) -> tuple[str, ...]:
        """Faults that have persisted and are not corrected, most urgent first."""
        return tuple(sorted((n for n, f in self._faults.items() if f.active), key=fault_rank))

    # -- the block ---------------------------------------------------------------------

    def set_block(
        self, now: float, direction: Direction, incline_deg: float = 0.0, mute_until: float = 0.0
    ) -> None:
        """A new block walked ``direction`` starts; no fault cue before ``mute_until``.

        Fault episodes start afresh (the same drift means other words now), praise waiting
        for a correction is dropped, and a wrong-way note may be given again.
        """
        self.direction = direction
        self._incline_deg = incline_deg
        self.mute(mute_until)
        self._praise = None
        for fault in self._faults.values():
            fault.cued = False
            fault.since = now
        if self._current is not None and self._current.level != "safety":
            self._current, self._current_fault = None, None

    def set_incline(self, incline_deg: float) -> None:
        """The deck's incline changed (the treadmill reports it): the safety net allows for it."""
        self._incline_deg = incline_deg

    def mute(self, until: float) -> None:
        """Cue no fault (nor praise) before ``until``: a block change and its settling."""
        self._mute_until = max(self._mute_until, until)

    def set_transition(self, cue: Cue | None) -> None:
        """Show ``cue`` (a block-change countdown) over anything but safety; None ends it."""
        self._transition = cue

    def note(self, cue: Cue) -> None:
        """Tell the member something once (wrong way, tallest posture), before form cues."""
        if all(n.key != cue.key for n in self._notes) and cue != self._current:
            self._notes.append(cue)

    # -- the tick ----------------------------------------------------------------------

    def update(self, now: float, metrics: FrameMetrics, events: Iterable[Event] = ()) -> Cue | None:
        """Feed one tick (latest metrics, events since the last tick); return the cue."""
        self._now = now
        if self._quiet_since is None:
            self._quiet_since = now
        posture = metrics.posture
        present = posture is not None and posture not in ABSENT_STATES
        self._upright = posture == "upright"
        if present:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = now
        self._read_events(now, events)
        self._read_net(now, metrics if present else None)
        self._settle(present)
        cue, fault = self._choose(now, present)
        return self._show(now, cue, fault)

    def _read_events(self, now: float, events: Iterable[Event]) -> None:
        for event in events:
            name = event.data.get("fault")
            if event.kind == "safety":
                self._safety = safety_cue(str(event.data.get("reason", "")), self.direction)
                self._safety_until = now + self.cfg.safety_display_s
            elif event.kind in ("fault", "fault_cleared") and name in FAULT_CUES:
                fault = self._faults[name]
                fault.flagged = event.kind == "fault"
                severity = event.data.get("severity")
                if fault.flagged:
                    fault.severity = severity if isinstance(severity, str) else None
            elif event.kind in ("fault", "fault_cleared"):
                logger.debug("no cue for fault %r", name)
            elif event.kind == "step" and isinstance(event.data.get("toe_first"), bool):
                self._steps.append(event.data["toe_first"])
        misses = sum(1 for toe_first in self._steps if not toe_first)
        heel = self._faults["heel_first"]
        if len(self._steps) == self._steps.maxlen and 2 * misses > len(self._steps):
            heel.flagged = True
        elif 3 * misses <= len(self._steps):
            heel.flagged = False

    def _read_net(self, now: float, metrics: FrameMetrics | None) -> None:
        """Which lean (if any) is past its absolute safety-net limit, with hysteresis."""
        lean = None if metrics is None else metrics.trunk_lean_deg
        if lean is None:
            self._net, self._net_since = None, None
            return
        net = net_fault(lean - self._incline_deg, self.posture, self._net)
        if net != self._net:
            self._net_since = now if net is not None else None
        self._net = net

    def _settle(self, present: bool) -> None:
        now = self._now
        dip = self.cfg.dropout_grace_s
        for name, fault in self._faults.items():
            if name in BACKWARD_ONLY and self.direction != "backward":
                fault.flagged = False
            active = fault.flagged
            if fault.active and not active:
                # A dip shorter than the grace (a 50 ms flicker of the fault) is no
                # correction: the episode, its escalation and its cue go on.
                if fault.cleared_at is None:
                    fault.cleared_at = now
                if now - fault.cleared_at < dip and present:
                    continue
            if active:
                fault.cleared_at = None
            if fault.active and not active and fault.cued and present:
                # Corrected while in view; a fault that ends because the member left is no
                # correction and earns no praise. It must hold for praise_hold_s first.
                self._praise = praise_cue(FAULT_CUES[name].kind, self.direction)
                cleared = fault.cleared_at if fault.cleared_at is not None else now
                self._praise_at = cleared + self.cfg.praise_hold_s
            if active != fault.active:
                fault.cued = False
                fault.cleared_at = None
                if not active:
                    fault.severity = None
                if active:
                    fault.since = now
            fault.active = active
        if any(f.active for f in self._faults.values()) or self._net is not None:
            self._praise = None  # praise only when nothing is wrong any more

    def _choose(self, now: float, present: bool) -> tuple[Cue | None, str | None]:
        if now < self._safety_until:
            return self._safety, None
        current = self._current
        net_for = now - self._net_since if self._net_since is not None else 0.0
        if self._net is not None and present and net_for >= NET_PERSIST_S:
            # past a safety-net limit: the urgent cue at once, over any milder one (and over
            # a countdown: the member must stand up first)
            return URGENT_CUES[self._net], self._net
        if self._transition is not None:
            return self._transition, None
        if (
            current is not None
            and current.level not in ("transition", "safety")
            and now - self._shown_at < self.cfg.min_display_s
        ):
            return current, self._current_fault
        if not present:
            absent_for = now - (self._absent_since if self._absent_since is not None else now)
            held = current is not None and current.kind != "encouragement"
            if held and absent_for < self.cfg.dropout_grace_s:
                # A tracking dropout, not a member who left: the same cue stays up.
                return current, self._current_fault
            return None, None
        if self._notes:
            if current is not None and current.level == "note":
                if now - self._shown_at < self.cfg.display_s:
                    return current, None
            else:
                return self._notes.popleft(), None
        if now < self._mute_until:
            return None, None  # a block change settles: no fault cue yet
        active = self.active_faults
        for name in active:
            cue = self._episode_cue(now, name)
            if name == self._current_fault:
                return cue, name  # the same episode: an escalated cue replaces the mild one
            if self._may_show(now, cue):
                return cue, name
        if active:
            return None, None  # faults in cooldown: say nothing rather than praise
        if not self._upright:
            return None, None  # a lean not (yet) a fault: no praise, no encouragement
        if self._praise is not None:
            if now < self._praise_at:
                return None, None  # the correction has not held long enough yet
            praise, self._praise = self._praise, None
            return praise, None
        lingering = now - self._shown_at < self.cfg.display_s
        if current is not None and current.kind == "encouragement" and lingering:
            return current, None
        assert self._quiet_since is not None
        quiet_for = now - self._quiet_since
        if quiet_for >= self.cfg.encouragement_every_s:
            cue = ENCOURAGEMENT[self._enc_index % len(ENCOURAGEMENT)]
            if self._may_show(now, cue):
                self._enc_index += 1
                return cue, None
        return None, None

    def _episode_cue(self, now: float, name: str) -> Cue:
        """The cue for fault ``name`` now: firmer once it has lasted ``escalate_after_s``."""
        fault = self._faults[name]
        mild = fault_cue(name, fault.severity, self.direction)
        if name in self.wording:
            return with_text(mild, self.wording[name])
        if fault.cued and now - fault.since >= self.cfg.escalate_after_s:
            return escalated_cue(name, self.direction) or mild
        return mild

    def _may_show(self, now: float, cue: Cue) -> bool:
        if now - self._last_seen.get(cue.key, -math.inf) < self.cfg.cooldown_s:
            return False
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        return len(self._recent) < self.cfg.max_per_minute

    def _show(self, now: float, cue: Cue | None, fault: str | None) -> Cue | None:
        self._is_new = cue is not None and not _same_cue(cue, self._current)
        # A reminder: the same fault cue, still up, sounds again at the slower rate.
        self._reminder = (
            not self._is_new
            and cue is not None
            and fault is not None
            and fault == self._current_fault
            and self._absent_since is None
            and now - self._reminded_at >= self.cfg.reminder_every_s
        )
        if self._reminder:
            self.reminders += 1
            self._reminded_at = now
        if self._is_new and fault is not None:
            self._reminded_at = now
        self._announce = False
        if cue is not None and (self._is_new or self._reminder):
            # the same words never sound more often than every reminder_every_s; safety,
            # urgent and transition cues always sound
            last = self._sounded.get(cue.key, -math.inf)
            loud = cue.level in ("safety", "urgent", "transition")
            if loud or now - last >= self.cfg.reminder_every_s:
                self._announce = True
                self._sounded[cue.key] = now
        previous = self._current_fault
        if (
            cue != self._current
            and self._current is not None
            and previous is not None
            and previous != fault
            and previous in self._faults
            and self._faults[previous].active
        ):
            # Interrupted (by safety or a more urgent fault), not finished: it may come back
            # without waiting out a cooldown. The rate limit still applies.
            self._last_seen.pop(self._current.key, None)
        if cue is not None and self._is_new:
            self._shown_at = now
            if cue.level != "transition":  # a countdown is no coaching: not in the summary
                self.shown[cue.kind] += 1
            self.shown_keys[cue.key] += 1
            # Safety, praise (the reward), notes, transitions and an escalation of a cue
            # already up are not new coaching: they do not count against max_per_minute.
            escalated = cue.level in ("escalated", "urgent") and fault == previous
            counted = cue.level in ("cue", "escalated") and cue.key not in _ALERT_KEYS
            if counted and not escalated:
                self._recent.append(now)
            logger.debug("cue %s at %.1f", cue.key, now)
        if fault is not None and fault in self._faults:
            self._faults[fault].cued = True
        if cue is not None:
            self._last_seen[cue.key] = now
            self._quiet_since = now
        self._current, self._current_fault = cue, fault
        return cue


def _same_cue(cue: Cue, current: Cue | None) -> bool:
    """The cue already up: equal, or the same catalogue cue whose banner numbers moved (the
    belt's speed, the heart rate), which updates the words but is no new cue."""
    if current is None:
        return False
    if cue == current:
        return True
    return bool(cue.spoken) and replace(cue, text="") == replace(current, text="")
