"""Keyboard input: keys that mirror the buttons, and a USB card reader typing an ID and Enter."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.members.checkin import CardReader

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeyAction:
    """What a key meant: a button ("button", name, kind), a card code ("card"), a card read
    refused as too long ("card_rejected", ``code`` = why) or "quit"."""

    kind: str
    name: str = ""
    press: str = "press"
    code: str = ""


def key_mapping() -> dict[int, tuple[str, str]]:
    """Keys that stand for the buttons on a laptop (Enter is select, held for staff)."""
    import pygame

    return {
        pygame.K_SPACE: ("start", "press"),
        pygame.K_ESCAPE: ("stop", "press"),
        pygame.K_s: ("stop", "press"),
        pygame.K_UP: ("up", "press"),
        pygame.K_DOWN: ("down", "press"),
        pygame.K_F12: ("select", "hold"),
        pygame.K_TAB: ("select", "press"),
    }


class KeyboardInput:
    """Turns pygame key events into button presses and card codes.

    A card or barcode reader is a keyboard that types digits (or letters after a digit) and
    Enter, collected by `kiosk.members.checkin.CardReader` (a gap longer than ``card_key_timeout_s``
    between keys starts a new code); Enter alone is the select button, and holding it for
    ``hold_s`` is a long press. Elsewhere a code starts with a digit, so letter keys
    (S = stop) stay buttons; while ``id_mode`` is set (the check-in screen waits for a card)
    every ID character is part of a code, so letter-first IDs ("S1234", "ABC") read whole.
    A read longer than an ID may be is refused, never cut into another member's ID.
    """

    def __init__(self, hold_s: float, card_key_timeout_s: float) -> None:
        import pygame

        self.hold_s = hold_s
        self._pygame = pygame
        self._mapping = key_mapping()
        self.card = CardReader(key_timeout_s=card_key_timeout_s)
        self._last = 0.0
        self._return_down_at: float | None = None
        self._hold_sent = False
        #: the app sets this while the check-in screen waits for an ID
        self.id_mode = False

    def key_down(self, ev: Any, now: float) -> list[KeyAction]:
        """A KEYDOWN event."""
        pg = self._pygame
        key = ev.key
        text = getattr(ev, "unicode", "") or ""
        card = self.card
        if card.pending and now - self._last > card.key_timeout_s:
            card.reset()  # a half-typed code from before the gap is not a card swipe
        if key in (pg.K_RETURN, pg.K_KP_ENTER):
            if card.pending or card.overflowing:
                code = card.enter(now)
                self._hold_sent = True  # the key-up must not also be "select"
                if code:
                    return [KeyAction("card", code=code)]
                if card.rejected:
                    return [KeyAction("card_rejected", code=card.rejected)]
                return []
            self._return_down_at = now
            return []
        starts_code = text.isdigit() or (self.id_mode and is_id_char(text))
        if starts_code or (card.pending and is_id_char(text)):
            card.feed(text, now)
            self._last = now
            return []
        if key == pg.K_q and ev.mod & pg.KMOD_CTRL:
            return [KeyAction("quit")]
        if key in self._mapping:
            name, kind = self._mapping[key]
            return [KeyAction("button", name, kind)]
        return []

    def key_up(self, ev: Any) -> list[KeyAction]:
        """A KEYUP event: releasing Enter is a select press unless it was a hold or a card."""
        pg = self._pygame
        if ev.key not in (pg.K_RETURN, pg.K_KP_ENTER):
            return []
        held = self._hold_sent
        self._return_down_at = None
        self._hold_sent = False
        return [] if held else [KeyAction("button", "select", "press")]

    def tick(self, now: float) -> list[KeyAction]:
        """Enter held long enough becomes a long press of select (once)."""
        down = self._return_down_at
        if down is not None and not self._hold_sent and now - down >= self.hold_s:
            self._hold_sent = True
            return [KeyAction("button", "select", "hold")]
        return []


def is_id_char(text: str) -> bool:
    """One character that may be part of a member ID (letters, digits, '-', '_', '.')."""
    return len(text) == 1 and (text.isascii() and (text.isalnum() or text in "-_."))


def pump_events(button_event: int, keyboard: KeyboardInput, now: float) -> list[KeyAction]:
    """Take every pending pygame event and say what each meant, in order.

    GPIO buttons (and scripted presses) arrive as ``button_event`` user events; the keyboard
    mirrors them; a closed window is "quit".
    """
    import pygame

    actions: list[KeyAction] = []
    for ev in pygame.event.get():
        if ev.type == pygame.QUIT:
            actions.append(KeyAction("quit"))
        elif ev.type == button_event:
            actions.append(KeyAction("button", ev.button, ev.kind))
        elif ev.type == pygame.KEYDOWN:
            actions += keyboard.key_down(ev, now)
        elif ev.type == pygame.KEYUP:
            actions += keyboard.key_up(ev)
    return actions + keyboard.tick(now)
