"""All station hardware opened together on one pin factory, with a keyboard-only fallback."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from hw.buttons import ButtonPanel, Post, keyboard_only_warning
from hw.errors import NoGpio
from hw.events import BUTTON_NAMES
from hw.factory import make_pin_factory
from hw.indicators import Buzzer, StatusLed
from hw.settings import GpioConfig

if TYPE_CHECKING:
    from gpiozero import Factory

logger = logging.getLogger(__name__)

_Out = TypeVar("_Out", StatusLed, Buzzer)


@dataclass
class StationHardware:
    """The buttons (None = keyboard only), LED and buzzer (no-ops when absent), and why."""

    panel: ButtonPanel | None
    led: StatusLed
    buzzer: Buzzer
    warning: str | None = None
    _factory: Factory | None = field(default=None, repr=False)

    @property
    def has_buttons(self) -> bool:
        """True when the physical buttons are working."""
        return self.panel is not None

    def close(self) -> None:
        """Switch everything off and release the pins. Safe to call twice."""
        if self.panel is not None:
            self.panel.close()
        self.buzzer.close()
        self.led.close()
        factory, self._factory = self._factory, None
        if factory is not None:
            factory.close()


def open_hardware(
    cfg: GpioConfig, post: Post, pin_factory: Factory | None = None
) -> StationHardware:
    """Open buttons, LED and buzzer; never raises for missing GPIO (see ``warning``)."""
    owned: Factory | None = None
    if pin_factory is None:
        try:
            pin_factory, is_owned = make_pin_factory(cfg.pin_factory)
        except NoGpio as exc:
            logger.warning("no GPIO: %s", exc)
            return StationHardware(
                None, StatusLed(None), Buzzer(None), keyboard_only_warning(str(exc))
            )
        owned = pin_factory if is_owned else None
    warnings: list[str] = []
    panel: ButtonPanel | None = None
    if all(getattr(cfg, name) is None for name in BUTTON_NAMES):
        warnings.append(keyboard_only_warning("No button pins are configured."))
    else:
        try:
            panel = ButtonPanel(cfg, post, pin_factory)
        except Exception as exc:
            logger.exception("opening the buttons failed")
            warnings.append(keyboard_only_warning(f"Opening the buttons failed: {exc}"))
    led = _optional(StatusLed, cfg.led, pin_factory, "status LED", warnings)
    buzzer = _optional(Buzzer, cfg.buzzer, pin_factory, "buzzer", warnings)
    return StationHardware(panel, led, buzzer, " ".join(warnings) or None, owned)


def _optional(
    cls: type[_Out], pin: int | None, factory: Factory, what: str, warnings: list[str]
) -> _Out:
    try:
        return cls(pin, factory)
    except Exception as exc:
        logger.exception("opening the %s failed", what)
        warnings.append(f"The {what} on GPIO{pin} failed: {exc}.")
        return cls(None)
