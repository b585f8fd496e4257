"""The belt and the heart in a session: typed readings per frame, distance, stride, zones, cues.

`MachineTracker` reads the station's links (`hw.ble.links.MachineReadings`) once per loop
step and keeps what the session needs: the belt speed and incline while fresh, the distance
walked backwards (the odometer's delta during backward blocks, or the speed integrated when
the console sends no distance), the stride (belt speed / cadence), the heart rate and its
zone from the member's age, and whether the belt moves (for start and pause). It decides
two machine "faults" for the cue engine: the belt off the block's target speed, and a heart
rate above the top zone; the engine's rules (cooldowns, reminders) then apply as to any cue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from hw.ble.link import KM_PER_MILE
from hw.ble.links import MachineLinks, MachineReadings
from hw.ble.settings import TreadmillConfig
from kiosk.members.roster import AGE_RANGE
from kiosk.session.views import MachineView
from vision.types import Event

logger = logging.getLogger(__name__)

#: A link quiet this long (or disconnected) is stale: its numbers are not used.
STALE_S = 3.0
#: A belt faster than this is moving (km/h; a console at rest may report 0.1-0.2).
BELT_MOVING_KMH = 0.3
#: Seconds the belt must keep moving before it starts a session, and stay still to pause it.
BELT_START_S = 2.0
BELT_STOP_S = 3.0
#: Seconds the heart rate must stay above the top zone before the member is told to ease off.
HEART_HIGH_HOLD_S = 5.0
#: Heart-rate zone floors as fractions of HRmax (zone 1 from 50 %, zone 5 from 90 %).
ZONE_FLOORS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: An odometer step larger than this between two reads is a reset or a glitch, not walking.
MAX_ODOMETER_STEP_M = 100.0

#: A heart rate outside this range is no person's walking on a belt (a strap's noise, 255 or
#: 0 as "none"): it is left out, as a strap that reports no skin contact is.
HEART_BPM_RANGE = (30, 230)

#: Values no treadmill has (the fields run to 655 km/h and +-3277 %): a broken or hostile
#: console's; left out, so lean is never judged on them nor the belt cued. Sprint belts
#: reach 40 km/h, incline trainers 40 %, decline decks -10 %.
MAX_SPEED_KMH = 40.0
INCLINE_RANGE_PCT = (-10.0, 40.0)

#: A step length a walker has, metres (a 60 m or a 2 cm "stride" is a cadence's glitch).
STRIDE_RANGE_M = (0.1, 2.0)

#: The machine's fault names (`kiosk.session.cue_catalog.FAULT_CUES` has their cues).
BELT_FAST, BELT_SLOW, HEART_HIGH = "belt_fast", "belt_slow", "heart_high"


def hr_max(age: float) -> float:
    """Age-predicted maximal heart rate, Tanaka et al. 2001: 208 - 0.7 x age."""
    return 208.0 - 0.7 * age


def heart_zone(bpm: int | None, age: float | None) -> int | None:
    """Zone 1-5 (50/60/70/80/90 % of HRmax); None without an age, a bpm, or below zone 1."""
    if bpm is None or age is None:
        return None
    share = bpm / hr_max(age)
    zone = sum(1 for floor in ZONE_FLOORS if share >= floor)
    return zone or None


def age_from_birth_year(birth_year: int | None, year: int) -> float | None:
    """The member's age this year (None when the birth year is unknown or gives no age a
    member can have: a year from the fleet's server or an old roster is not checked again)."""
    if birth_year is None:
        return None
    young, old = AGE_RANGE
    age = year - birth_year
    return float(age) if young <= age <= old else None


def session_tracker(
    links: MachineLinks | None, treadmill: TreadmillConfig, birth_year: int | None, wall: float
) -> MachineTracker | None:
    """A session's tracker on the station's links (None when no link is configured);
    ``wall`` is the time now (UNIX seconds), for the member's age this year."""
    if links is None or not links.configured:
        return None
    age = age_from_birth_year(birth_year, time.gmtime(wall).tm_year)
    rules = MachineRules(
        treadmill.units, treadmill.speed_tolerance_kmh, treadmill.speed_hold_s, age
    )
    return MachineTracker(links.read, rules)


def speed_in(units: str, kmh: float) -> float:
    """A speed in km/h shown in ``units`` ("mph" or "km/h")."""
    return kmh / KM_PER_MILE if units == "mph" else kmh


@dataclass(frozen=True, slots=True)
class MachineSample:
    """One reading of the belt and the heart for the session (None: unknown or stale)."""

    speed_kmh: float | None = None
    incline_pct: float | None = None
    #: metres walked backwards this session so far
    distance_m: float | None = None
    #: stride length, metres per step
    stride_m: float | None = None
    heart_rate_bpm: int | None = None


@dataclass(frozen=True, slots=True)
class MachineRules:
    """What the tracker judges by: the staff file's units and tolerances, the member's age."""

    units: str = "mph"
    speed_tolerance_kmh: float = 0.5
    speed_hold_s: float = 5.0
    age: float | None = None


class MachineTracker:
    """A session's view of the belt and the heart; ``read`` gives the links' latest values."""

    def __init__(self, read: Callable[[], MachineReadings], rules: MachineRules) -> None:
        self._read = read
        self.rules = rules
        self.readings = MachineReadings()
        self.sample = MachineSample()
        self._backward_m = 0.0
        self._odometer: int | None = None
        self._all_backward = True
        self._heard = False  # the treadmill spoke (fresh) at least once this session
        self._last_t: float | None = None
        self._polled_at = 0.0
        self._moving_since: float | None = None
        self._still_since: float | None = None
        self._off_since: float | None = None
        self._off_kind: str | None = None
        self._high_since: float | None = None
        self._flagged: set[str] = set()
        #: the words of each machine fault's cue, fixed when its episode starts
        self.wording: dict[str, str] = {}

    # -- reading -------------------------------------------------------------------------

    def _fresh(self, connected: bool, updated_at: float | None) -> bool:
        at = self.readings.at
        return connected and updated_at is not None and at - updated_at <= STALE_S

    @property
    def treadmill_fresh(self) -> bool:
        """True while the treadmill link is up and has spoken within ``STALE_S``."""
        t = self.readings.treadmill
        return t is not None and self._fresh(t.connected, t.updated_at)

    @property
    def heart_fresh(self) -> bool:
        """True while the heart-rate source is up and has spoken within ``STALE_S``."""
        h = self.readings.heart
        return h is not None and self._fresh(h.connected, h.updated_at)

    @property
    def speed_kmh(self) -> float | None:
        """The belt speed while fresh and one a treadmill can have."""
        t = self.readings.treadmill
        if t is None or t.speed_kmh is None or not self.treadmill_fresh:
            return None
        return t.speed_kmh if 0.0 <= t.speed_kmh <= MAX_SPEED_KMH else None

    @property
    def incline_pct(self) -> float | None:
        """The deck's incline while fresh and one a deck can have (for judging lean; the
        config value otherwise)."""
        t = self.readings.treadmill
        if t is None or t.inclination_pct is None or not self.treadmill_fresh:
            return None
        low, high = INCLINE_RANGE_PCT
        return t.inclination_pct if low <= t.inclination_pct <= high else None

    @property
    def heart_rate_bpm(self) -> int | None:
        """The heart rate while fresh, on the skin and plausible (else None)."""
        h = self.readings.heart
        if h is None or h.bpm is None or h.contact is False or not self.heart_fresh:
            return None
        low, high = HEART_BPM_RANGE
        return h.bpm if low <= h.bpm <= high else None

    def poll(self, now: float) -> MachineReadings:
        """Read the links (every loop step, session or not: the belt may start one)."""
        self.readings = self._read()
        self._polled_at = now
        speed = self.speed_kmh
        if speed is not None and speed > BELT_MOVING_KMH:
            self._still_since = None
            self._moving_since = self._moving_since if self._moving_since is not None else now
        elif speed is not None:
            self._moving_since = None
            self._still_since = self._still_since if self._still_since is not None else now
        else:  # stale or no speed: neither moving nor stopped is known
            self._moving_since = self._still_since = None
        return self.readings

    @property
    def belt_started(self) -> bool:
        """True once the belt has moved for ``BELT_START_S`` (fresh readings only)."""
        since = self._moving_since
        return since is not None and self._polled_at - since >= BELT_START_S

    @property
    def belt_stopped(self) -> bool:
        """True once the belt has stood still for ``BELT_STOP_S`` (fresh readings only)."""
        since = self._still_since
        return since is not None and self._polled_at - since >= BELT_STOP_S

    # -- the session ---------------------------------------------------------------------

    def update(self, now: float, running: bool, backward: bool, cadence_spm: float | None) -> None:
        """Fold the latest readings into the session (distance, stride, the sample)."""
        t = self.readings.treadmill
        dt = 0.0 if self._last_t is None else min(max(now - self._last_t, 0.0), 2.0)
        self._last_t = now
        speed = self.speed_kmh
        # the odometer's next step counts only if every moment since its last read was a
        # running backward block (a quiet link may come back a block later)
        self._all_backward = self._all_backward and running and backward
        if t is not None and self.treadmill_fresh:
            self._heard = True  # a distance is known from now on (0 m is then a fact)
            odometer = t.total_distance_m
            if odometer is not None:
                step = None if self._odometer is None else odometer - self._odometer
                if self._all_backward and step is not None and 0 <= step <= MAX_ODOMETER_STEP_M:
                    self._backward_m += step
                self._odometer = odometer
                self._all_backward = True
            elif running and backward and speed is not None:
                self._backward_m += speed / 3.6 * dt  # no odometer: integrate the belt
        stride = None
        moving = speed is not None and speed > BELT_MOVING_KMH  # a creeping console: no stride
        if moving and speed is not None and cadence_spm is not None and cadence_spm > 0:
            stride = round((speed / 3.6) / (cadence_spm / 60.0), 2)
            if not STRIDE_RANGE_M[0] <= stride <= STRIDE_RANGE_M[1]:
                stride = None  # a cadence warming up or miscounted, not a walker's step
        self.sample = MachineSample(
            speed_kmh=None if speed is None else round(speed, 2),
            incline_pct=self.incline_pct,
            distance_m=round(self._backward_m, 1) if t is not None and self._heard else None,
            stride_m=stride,
            heart_rate_bpm=self.heart_rate_bpm,
        )

    def view(self) -> MachineView | None:
        """What the session screen shows (None when neither link is configured)."""
        r = self.readings
        if not r.configured:
            return None
        s, units = self.sample, self.rules.units
        speed = None if s.speed_kmh is None else round(speed_in(units, s.speed_kmh), 1)
        return MachineView(
            units=units,
            speed=speed,
            backward_distance_m=s.distance_m,
            stride_m=s.stride_m,
            incline_pct=s.incline_pct,
            treadmill_stale=r.treadmill is not None and not self.treadmill_fresh,
            heart_rate_bpm=s.heart_rate_bpm,
            heart_zone=heart_zone(s.heart_rate_bpm, self.rules.age),
            # no live number (quiet, off the skin, absurd): the screen says "no signal"
            heart_rate_stale=r.heart is not None and s.heart_rate_bpm is None,
        )

    # -- the machine's cues --------------------------------------------------------------

    def cue_events(self, now: float, target_mph: float | None, settling: bool) -> list[Event]:
        """``fault`` / ``fault_cleared`` events for the cue engine (the belt, the heart)."""
        wanted: set[str] = set()
        belt = self._belt_off(now, target_mph, settling)
        if belt is not None:
            wanted.add(belt)
        if self._heart_high(now):
            wanted.add(HEART_HIGH)
        flagged = self._flagged
        events = [Event("fault", now, {"fault": f}) for f in sorted(wanted - flagged)]
        events += [Event("fault_cleared", now, {"fault": f}) for f in sorted(flagged - wanted)]
        self._flagged = wanted
        return events

    def restart_holds(self) -> None:
        """The session stood still (paused): a belt or a heart off before it must stay off
        a whole hold again once it runs, not be cued the moment it resumes."""
        self._off_since = self._off_kind = self._high_since = None

    def _belt_off(self, now: float, target_mph: float | None, settling: bool) -> str | None:
        """The belt's fault when it has been off the block's target for ``speed_hold_s``."""
        speed = self.speed_kmh
        kind = None
        if speed is not None and target_mph and not settling:
            target = target_mph * KM_PER_MILE
            if abs(speed - target) > self.rules.speed_tolerance_kmh:
                kind = BELT_FAST if speed > target else BELT_SLOW
        if kind is None or kind != self._off_kind:
            self._off_kind, self._off_since = kind, (now if kind is not None else None)
        if kind is None or self._off_since is None:
            return None
        if kind in self._flagged or now - self._off_since >= self.rules.speed_hold_s:
            # the words follow the belt while the cue is up: a reminder says today's speed
            assert target_mph is not None and speed is not None
            self.wording[kind] = self._belt_words(kind, speed, target_mph * KM_PER_MILE)
            return kind
        return None

    def _belt_words(self, kind: str, speed_kmh: float, target_kmh: float) -> str:
        units = self.rules.units
        now, goal = speed_in(units, speed_kmh), speed_in(units, target_kmh)
        todo = "slow it down" if kind == BELT_FAST else "speed it up"
        return f"Belt at {now:.1f} {units} — this block is {_short(goal)}: {todo}"

    def _heart_high(self, now: float) -> bool:
        """True once the heart rate has stayed above the top zone (90 % HRmax) a few seconds."""
        bpm = self.sample.heart_rate_bpm
        age = self.rules.age
        high = bpm is not None and age is not None and bpm > ZONE_FLOORS[-1] * hr_max(age)
        if not high:
            self._high_since = None
            return False
        if self._high_since is None:
            self._high_since = now
        if HEART_HIGH in self._flagged or now - self._high_since >= HEART_HIGH_HOLD_S:
            self.wording[HEART_HIGH] = f"Heart rate {bpm} — ease off: slow the belt"
            return True
        return False


def _short(value: float) -> str:
    """1.5, 2, 2.5: one decimal, none when whole (how a program names its speeds)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
