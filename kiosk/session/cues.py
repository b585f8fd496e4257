"""The cue engine: turns analyzer events into the one cue to show now.

It decides only *what to show*, never whether a fault exists: the analyzer
(:class:`vision.metrics.analyzer.PostureAnalyzer`) is the one place that decides a fault exists and
has persisted (``posture.persist_s``), and says so with events:

* ``fault`` {fault, severity?} makes a fault active; ``fault_cleared`` {fault} ends it. A
  ``fault`` with severity "alert" (a member bent far forward) shows the urgent version of the
  cue (:data:`kiosk.session.cue_catalog.ALERT_CUES`); an ``escalated`` one replaces the milder cue.
* ``step`` {toe_first}: ``heel_first`` is active while more than half of the last
  ``steps_window`` steps did not land toe first, and clears at a third or fewer (each step's
  contact is the analyzer's; this is only the "mostly" over recent steps).
* ``safety`` shows at once, whatever else is on screen, for ``safety_display_s``.

Metrics are read only for ``posture``: nobody in view (``no_person``, ``low_confidence``)
means nothing to coach, and a fault cleared while nobody is there earns no praise.

Coaching like a trainer: a fault that persists gets one cue with one tone; a short tracking
dropout (under ``dropout_grace_s``) keeps that cue up, with no new tone. While the fault
lasts the kiosk never goes silent: the cue sounds again every ``reminder_every_s`` (a
reminder, not a new cue), and after ``escalate_after_s`` the firmer cue of
:data:`~kiosk.session.cue_catalog.ESCALATED_CUES` replaces it. Praise comes only once the
correction has held for ``praise_hold_s``.

Scheduling: safety > posture > core > steps > encouragement. A cue stays at least
``min_display_s``; a fault cue stays while its fault lasts unless a more urgent one may take
over; the same cue returns only after ``cooldown_s`` off screen (an interrupted one may
return at once); at most ``max_per_minute``
new non-safety cues a minute (praise after a correction is exempt: it is the reward). When a
cued fault is corrected, praise replaces it; when all is well, encouragement appears every
``encouragement_every_s``. Nothing here reads a clock: the caller passes ``now``.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.config.schema import CueConfig
from kiosk.session.cue_catalog import (
    ALERT_CUES,
    ENCOURAGEMENT,
    ESCALATED_CUES,
    FAULT_CUES,
    GENERIC_SAFETY,
    PRAISE,
    PRIORITY,
    SAFETY_CUES,
    Cue,
    CueKind,
    fault_cue,
    fault_rank,
)
from vision.metrics.classify import ABSENT_STATES
from vision.types import Event, FrameMetrics

logger = logging.getLogger(__name__)

#: ``posture`` values that mean nobody is there to coach.
_PRAISE_KEYS = frozenset(c.key for c in PRAISE.values())
_ALERT_KEYS = frozenset(c.key for c in ALERT_CUES.values())


@dataclass
class _Fault:
    flagged: bool = False  # set by events: fault / fault_cleared, or the step rule
    severity: str | None = None  # from the fault event ("warn" / "alert")
    active: bool = False
    cued: bool = False  # its cue has been on screen during this episode
    since: float = -math.inf  # when this episode began


class CueEngine:
    """Decides, tick by tick, which :class:`Cue` the banner shows (or None)."""

    def __init__(self, cfg: CueConfig) -> None:
        self.cfg = cfg
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
        current one (play its tone now)."""
        return self._is_new or self._reminder

    @property
    def active_faults(self) -> tuple[str, ...]:
        """Faults that have persisted and are not corrected, most urgent first."""
        return tuple(sorted((n for n, f in self._faults.items() if f.active), key=fault_rank))

    # -- the tick ----------------------------------------------------------------------

    def update(self, now: float, metrics: FrameMetrics, events: Iterable[Event] = ()) -> Cue | None:
        """Feed one tick (latest metrics, events since the last tick); return the cue."""
        self._now = now
        if self._quiet_since is None:
            self._quiet_since = now
        posture = metrics.posture
        present = posture is not None and posture not in ABSENT_STATES
        if present:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = now
        self._read_events(now, events)
        self._settle(present)
        cue, fault = self._choose(now, present)
        return self._show(now, cue, fault)

    def _read_events(self, now: float, events: Iterable[Event]) -> None:
        for event in events:
            name = event.data.get("fault")
            if event.kind == "safety":
                self._safety = SAFETY_CUES.get(event.data.get("reason", ""), GENERIC_SAFETY)
                self._safety_until = now + self.cfg.safety_display_s
            elif event.kind in ("fault", "fault_cleared") and name in FAULT_CUES:
                fault = self._faults[name]
                fault.flagged = event.kind == "fault"
                severity = event.data.get("severity")
                fault.severity = severity if fault.flagged and isinstance(severity, str) else None
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

    def _settle(self, present: bool) -> None:
        for name, fault in self._faults.items():
            active = fault.flagged
            if fault.active and not active and fault.cued and present:
                # Corrected while in view; a fault that ends because the member left is no
                # correction and earns no praise. It must hold for praise_hold_s first.
                self._praise = PRAISE[FAULT_CUES[name].kind]
                self._praise_at = self._now + self.cfg.praise_hold_s
            if active != fault.active:
                fault.cued = False
                if active:
                    fault.since = self._now
            fault.active = active
        if any(f.active for f in self._faults.values()):
            self._praise = None  # praise only when nothing is wrong any more

    def _choose(self, now: float, present: bool) -> tuple[Cue | None, str | None]:
        if now < self._safety_until:
            return self._safety, None
        current = self._current
        if current is not None and now - self._shown_at < self.cfg.min_display_s:
            return current, self._current_fault
        if not present:
            absent_for = now - (self._absent_since if self._absent_since is not None else now)
            held = current is not None and current.kind != "encouragement"
            if held and absent_for < self.cfg.dropout_grace_s:
                # A tracking dropout, not a member who left: the same cue stays up.
                return current, self._current_fault
            return None, None
        active = self.active_faults
        for name in active:
            cue = self._episode_cue(now, name)
            if name == self._current_fault:
                return cue, name  # the same episode: an escalated cue replaces the mild one
            if self._may_show(now, cue):
                return cue, name
        if active:
            return None, None  # faults in cooldown: say nothing rather than praise
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
        if fault.cued and now - fault.since >= self.cfg.escalate_after_s:
            return ESCALATED_CUES.get(name, fault_cue(name, fault.severity))
        return fault_cue(name, fault.severity)

    def _may_show(self, now: float, cue: Cue) -> bool:
        if now - self._last_seen.get(cue.key, -math.inf) < self.cfg.cooldown_s:
            return False
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        return len(self._recent) < self.cfg.max_per_minute

    def _show(self, now: float, cue: Cue | None, fault: str | None) -> Cue | None:
        self._is_new = cue is not None and cue != self._current
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
        previous = self._current_fault
        if (
            cue != self._current
            and self._current is not None
            and previous is not None
            and previous != fault
            and self._faults[previous].active
        ):
            # Interrupted (by safety or a more urgent fault), not finished: it may come back
            # without waiting out a cooldown. The rate limit still applies.
            self._last_seen.pop(self._current.key, None)
        if cue is not None and self._is_new:
            self._shown_at = now
            self.shown[cue.kind] += 1
            self.shown_keys[cue.key] += 1
            # Safety, praise (the reward) and an escalation of a cue already up are not new
            # coaching: they do not count against max_per_minute.
            escalated = cue.key in _ALERT_KEYS and fault is not None and fault == previous
            if cue.kind != "safety" and cue.key not in _PRAISE_KEYS and not escalated:
                self._recent.append(now)
            logger.debug("cue %s at %.1f", cue.key, now)
        if fault is not None:
            self._faults[fault].cued = True
        if cue is not None:
            self._last_seen[cue.key] = now
            self._quiet_since = now
        self._current, self._current_fault = cue, fault
        return cue
