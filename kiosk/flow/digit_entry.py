"""A number entered with the buttons, one digit at a time (member IDs, the staff PIN)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class DigitEntry:
    """A number entered with the buttons: up/down change a digit, select confirms it."""

    length: int
    digits: list[int] = field(default_factory=list)
    current: int = 0

    def up(self) -> None:
        """Next value of the digit being edited."""
        self.current = (self.current + 1) % 10

    def down(self) -> None:
        """Previous value of the digit being edited."""
        self.current = (self.current - 1) % 10

    def confirm(self) -> bool:
        """Accept the digit being edited; True when all digits are in."""
        if len(self.digits) < self.length:
            self.digits.append(self.current)
            self.current = 0
        return self.is_complete

    @property
    def is_complete(self) -> bool:
        """True once ``length`` digits were confirmed."""
        return len(self.digits) >= self.length

    @property
    def text(self) -> str:
        """The confirmed digits as a string."""
        return "".join(str(d) for d in self.digits)

    def clear(self) -> None:
        """Start again."""
        self.digits.clear()
        self.current = 0
