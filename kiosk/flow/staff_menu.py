"""The staff screen's sub-state: PIN entry with the buttons, the menu, zone and placement."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.effects import (
    Effect,
    QuitKiosk,
    ReloadConfig,
    SaveZone,
    StartPlacementCheck,
    StopPlacementCheck,
)
from kiosk.flow.pairing import PairingState

logger = logging.getLogger(__name__)

#: Items of the unlocked staff menu, in order ("Quit kiosk" last: a stray press on "up" from
#: the first item would reach it, so it sits after "Exit").
STAFF_MENU = (
    "Adjust zone",
    "Reload config",
    "Check placement",
    "Treadmill / strap",
    "Exit",
    "Quit kiosk",
)
#: Wrong PINs in a row allowed before a lockout starts.
PIN_FREE_TRIES = 3
#: The first lockout; each further wrong PIN doubles it, up to ``PIN_MAX_LOCK_S``.
PIN_FIRST_LOCK_S = 30.0
PIN_MAX_LOCK_S = 900.0
#: Zone edges in the order select cycles through them while adjusting.
ZONE_EDGES = ("x0", "x1", "y0", "y1")


@dataclass(slots=True)
class PinGuard:
    """Wrong staff PINs in a row and the growing lockout they earn (kept across visits).

    Three free tries, then 30 s, 60 s, 120 s ... up to 15 min: a member guessing at the
    buttons gets nowhere in any useful time, while staff who mistype still get in.
    """

    failures: int = 0
    locked_until: float = 0.0
    #: called after each change with (guard, now): the kiosk keeps the lockout on disk,
    #: so pulling the plug does not give three fresh tries
    on_change: Callable[[PinGuard, float], None] | None = None

    def locked_for(self, now: float) -> float:
        """Seconds left in the lockout (0 when PINs are accepted)."""
        return max(0.0, self.locked_until - now)

    def wrong(self, now: float) -> None:
        """Count a wrong PIN, log it, and start the next lockout once the free tries are used."""
        self.failures += 1
        extra = self.failures - PIN_FREE_TRIES
        lock = 0.0 if extra < 0 else min(PIN_MAX_LOCK_S, PIN_FIRST_LOCK_S * 2**extra)
        self.locked_until = now + lock
        logger.warning(
            "wrong staff PIN (%d in a row)%s",
            self.failures,
            f"; PIN entry locked for {lock:.0f} s" if lock else "",
        )
        if self.on_change is not None:
            self.on_change(self, now)

    def tried_while_locked(self, left: float) -> None:
        """A PIN try during a lockout: refused, and logged (someone is at the buttons)."""
        logger.warning("staff PIN try while locked (%.0f s left; %d wrong)", left, self.failures)

    def right(self) -> None:
        """The right PIN: forget the failures."""
        if self.failures:
            logger.info("staff PIN accepted after %d wrong tries", self.failures)
        self.failures = 0
        self.locked_until = 0.0
        if self.on_change is not None:
            self.on_change(self, 0.0)


@dataclass(slots=True)
class StaffState:
    """The staff screen's own sub-state: PIN entry, menu, zone adjustment, placement check."""

    pin: DigitEntry
    unlocked: bool = False
    wrong_pin: bool = False
    menu_index: int = 0
    adjusting_zone: bool = False
    edge_index: int = 0
    zone_delta: dict[str, float] = field(default_factory=dict)
    message: str = ""
    guard: PinGuard = field(default_factory=PinGuard)
    #: the placement check is open (collecting, judging or showing its report)
    checking_placement: bool = False
    #: the zone the finished check suggests (x0, y0, x1, y1), None until one can be saved
    placement_zone: dict[str, float] | None = None
    #: the console's image side the check read from the walk, saved with the zone
    placement_console: str | None = None
    #: the treadmill / strap pairing step while it is open
    pairing: PairingState | None = None

    def placement_judged(
        self, zone: dict[str, float] | None, console_side: str | None = None
    ) -> None:
        """The app finished the check; ``zone`` is the suggested zone START may save."""
        if self.checking_placement:
            self.placement_zone = dict(zone) if zone is not None else None
            self.placement_console = console_side

    def press(self, name: str, staff_pin: str, now: float = 0.0) -> tuple[list[Effect], bool]:
        """One button press on the staff screen; returns (effects, True to leave the screen)."""
        if not self.unlocked:
            return [], self._pin_button(name, staff_pin, now)
        if self.adjusting_zone:
            return self._zone_button(name), False
        if self.checking_placement:
            return self._placement_button(name), False
        if self.pairing is not None:
            effects, leave = self.pairing.press(name)
            if leave:
                self.pairing = None
            return effects, False
        return self._menu_button(name)

    def _pin_button(self, name: str, staff_pin: str, now: float) -> bool:
        if name == "stop":
            return True
        left = self.guard.locked_for(now)
        if left > 0:
            if name == "select":
                self.guard.tried_while_locked(left)
            self.pin.clear()
            self.message = f"Too many wrong PINs: wait {left:.0f} s"
            return False
        self.message = ""
        if name == "up":
            self.pin.up()
        elif name == "down":
            self.pin.down()
        elif name == "select" and self.pin.confirm():
            if self.pin.text == staff_pin:
                self.unlocked = True
                self.wrong_pin = False
                self.guard.right()
            else:
                self.wrong_pin = True
                self.pin.clear()
                self.guard.wrong(now)
                left = self.guard.locked_for(now)
                if left > 0:
                    self.message = f"Too many wrong PINs: wait {left:.0f} s"
        return False

    def _zone_button(self, name: str) -> list[Effect]:
        edge = ZONE_EDGES[self.edge_index]
        if name in ("up", "down"):
            # up moves an edge right/down in the mirror view's own sense: +0.01
            step = 0.01 if name == "up" else -0.01
            self.zone_delta[edge] = round(self.zone_delta.get(edge, 0.0) + step, 3)
        elif name == "select":
            self.edge_index = (self.edge_index + 1) % len(ZONE_EDGES)
        elif name == "start":
            delta = dict(self.zone_delta)
            self.adjusting_zone = False
            self.zone_delta.clear()
            self.message = "Zone saved"
            return [SaveZone(delta)]
        elif name == "stop":
            self.adjusting_zone = False
            self.zone_delta.clear()
            self.message = "Zone unchanged"
        return []

    def _placement_button(self, name: str) -> list[Effect]:
        # a failed line never locks anything: staff read the fixes and choose what to do
        if name == "stop":
            self.checking_placement = False
            self.placement_zone = None
            self.message = ""
            return [StopPlacementCheck()]
        if name == "select":
            self.placement_zone = None
            self.message = ""
            return [StartPlacementCheck()]
        if name == "start":
            if self.placement_zone is None:
                self.message = "No zone to save yet"
                return []
            edges = dict(self.placement_zone)
            self.message = "Saving the suggested zone…"
            return [SaveZone(edges=edges, console_side=self.placement_console)]
        return []

    def _menu_button(self, name: str) -> tuple[list[Effect], bool]:
        if name == "up":
            self.menu_index = (self.menu_index - 1) % len(STAFF_MENU)
        elif name == "down":
            self.menu_index = (self.menu_index + 1) % len(STAFF_MENU)
        elif name == "stop":
            return [], True
        elif name in ("select", "start"):
            item = STAFF_MENU[self.menu_index]
            if item == "Adjust zone":
                self.adjusting_zone = True
                self.edge_index = 0
                self.message = ""
            elif item == "Check placement":
                self.checking_placement = True
                self.placement_zone = None
                self.message = ""
                return [StartPlacementCheck()], False
            elif item == "Treadmill / strap":
                self.pairing = PairingState()
                self.message = ""
            elif item == "Reload config":
                self.message = "Reloading…"
                return [ReloadConfig()], False
            elif item == "Quit kiosk":
                logger.warning("staff quit the kiosk from the staff menu")
                return [QuitKiosk()], False
            else:
                return [], True
        return [], False
