"""The staff screen's sub-state: PIN entry with the buttons, the menu, zone adjustment."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.effects import Effect, ReloadConfig, SaveZone

#: Items of the unlocked staff menu, in order.
STAFF_MENU = ("Adjust zone", "Reload config", "Exit")
#: Zone edges in the order select cycles through them while adjusting.
ZONE_EDGES = ("x0", "x1", "y0", "y1")


@dataclass(slots=True)
class StaffState:
    """The staff screen's own sub-state: PIN entry, menu, zone adjustment."""

    pin: DigitEntry
    unlocked: bool = False
    wrong_pin: bool = False
    menu_index: int = 0
    adjusting_zone: bool = False
    edge_index: int = 0
    zone_delta: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def press(self, name: str, staff_pin: str) -> tuple[list[Effect], bool]:
        """One button press on the staff screen; returns (effects, True to leave the screen)."""
        if not self.unlocked:
            return [], self._pin_button(name, staff_pin)
        if self.adjusting_zone:
            return self._zone_button(name), False
        return self._menu_button(name)

    def _pin_button(self, name: str, staff_pin: str) -> bool:
        if name == "stop":
            return True
        if name == "up":
            self.pin.up()
        elif name == "down":
            self.pin.down()
        elif name == "select" and self.pin.confirm():
            if self.pin.text == staff_pin:
                self.unlocked = True
                self.wrong_pin = False
            else:
                self.wrong_pin = True
                self.pin.clear()
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
            elif item == "Reload config":
                self.message = "Reloading…"
                return [ReloadConfig()], False
            else:
                return [], True
        return [], False
