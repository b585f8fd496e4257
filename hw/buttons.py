"""The button panel: gpiozero Buttons on the configured BCM pins, posting ButtonEvents."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from hw.events import BUTTON_NAMES, ButtonEvent, ButtonName
from hw.settings import GpioConfig

if TYPE_CHECKING:
    from gpiozero import Button, Factory

logger = logging.getLogger(__name__)

Post = Callable[[ButtonEvent], None]

#: Buttons that post "press" at the moment they go down and never "hold": stopping must not
#: wait for the finger to lift.
IMMEDIATE_BUTTONS: frozenset[ButtonName] = frozenset({"stop"})


class ButtonPanel:
    """The physical buttons; each gesture becomes one :class:`ButtonEvent` given to ``post``.

    A short press posts ``press`` when the button is released; holding it for
    ``cfg.hold_s`` posts ``hold`` and the release that follows posts nothing (so a long
    press on select opens the staff screen and a short one selects). Buttons in
    ``immediate`` post ``press`` on the way down instead and have no hold. Pins set to
    None are skipped. The callbacks run in gpiozero's threads and only call ``post``,
    which must therefore be thread-safe (``pygame.event.post`` is).
    """

    def __init__(
        self,
        cfg: GpioConfig,
        post: Post,
        pin_factory: Factory | None = None,
        *,
        immediate: Iterable[ButtonName] = IMMEDIATE_BUTTONS,
        close_factory: bool = False,
    ) -> None:
        from gpiozero import Button

        self._post = post
        self._immediate = frozenset(immediate)
        self._lock = threading.Lock()
        self._held: set[ButtonName] = set()
        self._buttons: dict[ButtonName, Button] = {}
        self._factory = pin_factory if close_factory else None
        self._closed = False
        try:
            for name in BUTTON_NAMES:
                pin = getattr(cfg, name)
                if pin is None:
                    continue
                button = Button(
                    pin,
                    pull_up=True,
                    bounce_time=cfg.bounce_s or None,
                    hold_time=cfg.hold_s,
                    pin_factory=pin_factory,
                )
                self._buttons[name] = button
                self._wire(name, button)
        except BaseException:
            self.close()
            raise
        logger.info("buttons on %s", {n: str(b.pin) for n, b in self._buttons.items()})

    def _wire(self, name: ButtonName, button: Button) -> None:
        if name in self._immediate:
            button.when_pressed = lambda: self._send(ButtonEvent(name, "press"))
            return
        button.when_pressed = lambda: self._on_down(name)
        button.when_held = lambda: self._on_held(name)
        button.when_released = lambda: self._on_up(name)

    def _on_down(self, name: ButtonName) -> None:
        with self._lock:
            self._held.discard(name)

    def _on_held(self, name: ButtonName) -> None:
        with self._lock:
            self._held.add(name)
        self._send(ButtonEvent(name, "hold"))

    def _on_up(self, name: ButtonName) -> None:
        with self._lock:
            was_held = name in self._held
            self._held.discard(name)
        if not was_held:
            self._send(ButtonEvent(name, "press"))

    def _send(self, event: ButtonEvent) -> None:
        # A failing post must not kill gpiozero's callback thread: log and carry on.
        try:
            self._post(event)
        except Exception:
            logger.exception("posting %s failed", event)

    @property
    def buttons(self) -> tuple[ButtonName, ...]:
        """Names of the buttons that are wired (pins not None), in ``BUTTON_NAMES`` order."""
        return tuple(self._buttons)

    def is_pressed(self, name: ButtonName) -> bool:
        """True while that button is down (False for an unwired button)."""
        button = self._buttons.get(name)
        return bool(button is not None and button.is_pressed)

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._closed

    def close(self) -> None:
        """Release every pin (and the factory if this panel owns it). Safe to call twice."""
        self._closed = True
        buttons, self._buttons = self._buttons, {}
        for button in buttons.values():
            try:
                button.close()
            except Exception:
                logger.exception("closing %s failed", button)
        factory, self._factory = self._factory, None
        if factory is not None:
            factory.close()

    def __enter__(self) -> ButtonPanel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def keyboard_only_warning(reason: str) -> str:
    """The staff-screen warning shown when the buttons are not available."""
    return f"Buttons unavailable — keyboard only. {reason}"
