"""Choosing the gpiozero pin factory from the config, without probing hardware at import."""

from __future__ import annotations

import logging
import warnings
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from hw.errors import NoGpio

if TYPE_CHECKING:
    from gpiozero import Factory

logger = logging.getLogger(__name__)

#: Names accepted by ``GpioConfig.pin_factory`` besides "auto" and "none".
NAMED_FACTORIES = ("lgpio", "rpigpio", "pigpio", "native", "mock")


def make_pin_factory(name: str) -> tuple[Factory, bool]:
    """Return ``(factory, owned)`` for a ``GpioConfig.pin_factory`` value.

    "auto" is gpiozero's own default (``GPIOZERO_PIN_FACTORY`` or lgpio → rpigpio → pigpio
    → native) and becomes ``Device.pin_factory``, which gpiozero closes at exit, so
    ``owned`` is False. A named factory is created just for us (``owned`` True: the caller
    closes it). "none" and any factory that fails to load raise :class:`NoGpio` with the
    reason, so the kiosk can fall back to the keyboard and say why.
    """
    if name == "none":
        raise NoGpio("GPIO is switched off in the config (gpio.pin_factory = 'none')")
    # Imported here: gpiozero itself is cheap, but keeping every GPIO touch inside the
    # call means importing hw never depends on what the machine has.
    from gpiozero import Device

    if name == "auto":
        if Device.pin_factory is not None:
            return Device.pin_factory, False
        with warnings.catch_warnings(record=True) as caught:
            # gpiozero warns once per factory it falls back from; we fold them into one
            # message instead of letting four warnings reach the journal.
            warnings.simplefilter("always")
            try:
                Device.ensure_pin_factory()
            except Exception as exc:
                reasons = "; ".join(str(w.message) for w in caught)
                raise NoGpio(f"no GPIO pin factory could be loaded: {exc} ({reasons})") from exc
        for w in caught:
            logger.info("gpiozero: %s", w.message)
        assert Device.pin_factory is not None
        return Device.pin_factory, False
    if name not in NAMED_FACTORIES:
        raise NoGpio(f"unknown pin factory {name!r}; expected auto, none or {NAMED_FACTORIES}")
    for ep in entry_points(group="gpiozero_pin_factories"):
        if ep.name == name:
            try:
                return ep.load()(), True
            except Exception as exc:
                raise NoGpio(f"the {name} pin factory could not be loaded: {exc}") from exc
    raise NoGpio(f"gpiozero has no pin factory called {name!r}")
