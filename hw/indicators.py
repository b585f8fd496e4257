"""The status LED and the buzzer; both become silent no-ops when their pin or GPIO is absent."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

if TYPE_CHECKING:
    from gpiozero import LED, Factory
    from gpiozero import Buzzer as GzBuzzer

logger = logging.getLogger(__name__)

LedState = Literal["off", "ready", "attention", "alert"]
Tone = Literal["alert", "caution", "good"]

#: (on_time, off_time, n) per tone: distinct by rhythm, since a buzzer has one pitch.
BEEPS: dict[Tone, tuple[float, float, int]] = {
    "alert": (0.15, 0.1, 5),
    "caution": (0.1, 0.1, 2),
    "good": (0.05, 0.05, 1),
}
#: (on_time, off_time) of the LED blink per state.
BLINKS: dict[LedState, tuple[float, float]] = {
    "attention": (0.8, 0.8),
    "alert": (0.15, 0.15),
}


class _Part:
    """Shared lifecycle of an optional output device (None = no-op)."""

    def __init__(self, device: LED | GzBuzzer | None) -> None:
        self._device = device

    @property
    def is_present(self) -> bool:
        """True when a real (or mock) pin drives this part."""
        return self._device is not None

    @property
    def is_active(self) -> bool:
        """True while the pin is driven on at this instant (False when absent)."""
        return bool(self._device is not None and self._device.is_active)

    def close(self) -> None:
        """Switch off and release the pin. Safe to call twice."""
        device, self._device = self._device, None
        if device is not None:
            try:
                device.close()
            except Exception:
                logger.exception("closing %s failed", device)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class StatusLed(_Part):
    """The station's status light: steady = ready, slow blink = attention, fast = alert."""

    def __init__(self, pin: int | None, pin_factory: Factory | None = None) -> None:
        device = None
        if pin is not None:
            from gpiozero import LED

            device = LED(pin, pin_factory=pin_factory)
        super().__init__(device)
        self._state: LedState = "off"

    @property
    def state(self) -> LedState:
        """What the LED was last told to show (tracked even when the LED is absent)."""
        return self._state

    def show_ready(self) -> None:
        """Steady on: the station is ready for a member."""
        self._set("ready")

    def show_attention(self) -> None:
        """Slow blink: something needs staff (camera lost, setup)."""
        self._set("attention")

    def show_alert(self) -> None:
        """Fast blink: a safety alert."""
        self._set("alert")

    def off(self) -> None:
        """Dark: the station is stopped."""
        self._set("off")

    def _set(self, state: LedState) -> None:
        if state == self._state:
            return  # re-calling blink() would restart the rhythm every frame
        self._state = state
        led = self._device
        if led is None:
            return
        if state == "ready":
            led.on()
        elif state == "off":
            led.off()
        else:
            on_time, off_time = BLINKS[state]
            led.blink(on_time=on_time, off_time=off_time, background=True)


class Buzzer(_Part):
    """The piezo buzzer; beeps run in gpiozero's background thread and never block."""

    def __init__(self, pin: int | None, pin_factory: Factory | None = None) -> None:
        device = None
        if pin is not None:
            from gpiozero import Buzzer as GzBuzzer

            device = GzBuzzer(pin, pin_factory=pin_factory)
        super().__init__(device)
        self.last_tone: Tone | None = None

    def beep(self, tone: Tone) -> None:
        """Sound the rhythm of ``tone`` (alert, caution or good) in the background."""
        self.last_tone = tone
        buzzer = self._device
        if buzzer is None:
            return
        on_time, off_time, n = BEEPS[tone]
        buzzer.beep(on_time=on_time, off_time=off_time, n=n, background=True)

    def beep_alert(self) -> None:
        """Five quick beeps: safety alert."""
        self.beep("alert")

    def beep_caution(self) -> None:
        """Two short beeps: a form cue."""
        self.beep("caution")

    def beep_good(self) -> None:
        """One tick: encouragement."""
        self.beep("good")

    def silence(self) -> None:
        """Stop any beeping now."""
        if self._device is not None:
            self._device.off()
