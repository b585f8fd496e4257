"""The check-in screen's sub-state: a member number typed with the buttons, or a guest."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.effects import CheckIn, Effect


@dataclass(slots=True)
class CheckinState:
    """The check-in screen's own sub-state: a member number typed with the buttons."""

    entry: DigitEntry
    editing: bool = False
    rejected_reason: str = ""

    def reset(self) -> None:
        """Forget a half-typed number."""
        self.entry.clear()
        self.editing = False

    def press(self, name: str, buttons_enabled: bool) -> tuple[list[Effect], str | None]:
        """One button press; returns (effects, "idle" | "guest" | None for staying)."""
        entry = self.entry
        if name == "stop":
            return [], "idle"
        if name in ("up", "down") and buttons_enabled:
            self.editing = True
            entry.up() if name == "up" else entry.down()
        elif name == "select":
            if not self.editing:
                return [], "guest"
            if entry.confirm():
                return [self._submit()], None
        elif name == "start" and self.editing and entry.digits:
            return [self._submit()], None
        return [], None

    def _submit(self) -> Effect:
        code = self.entry.text
        self.reset()
        return CheckIn(code, "buttons")
