"""What the buttons tell the kiosk: a named button was pressed briefly or held."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

ButtonName = Literal["start", "stop", "up", "down", "select"]
ButtonKind = Literal["press", "hold"]

#: Every button the panel can have, in the order they are wired on the config.
BUTTON_NAMES: tuple[ButtonName, ...] = get_args(ButtonName)
#: ``"press"`` = a short press (posted on release, or at once for immediate buttons);
#: ``"hold"`` = held for ``GpioConfig.hold_s`` (its release posts nothing).
BUTTON_KINDS: tuple[ButtonKind, ...] = get_args(ButtonKind)


@dataclass(frozen=True, slots=True)
class ButtonEvent:
    """One button gesture, posted from gpiozero's threads (or made from a key press)."""

    button: ButtonName
    kind: ButtonKind = "press"

    def __post_init__(self) -> None:
        if self.button not in BUTTON_NAMES:
            raise ValueError(f"unknown button {self.button!r}; expected one of {BUTTON_NAMES}")
        if self.kind not in BUTTON_KINDS:
            raise ValueError(f"unknown button event kind {self.kind!r}; expected {BUTTON_KINDS}")
