"""A card reader's keystrokes are never buttons: real pygame key events through the app's pump."""

from __future__ import annotations

import pygame
import pytest

from kiosk.ui.keyboard import BURST_GAP_S, KeyAction, KeyboardInput, pump_events

READER_GAP_S = 0.012  # a USB reader types a key every 5-20 ms
FRAME_S = 1 / 30  # the loop pumps events once a frame


@pytest.fixture(autouse=True)
def display() -> None:
    pygame.display.init()
    pygame.display.set_mode((64, 64))
    pygame.event.clear()


def post(ch: str) -> None:
    """One key press as the reader (or a person) types it: KEYDOWN and KEYUP."""
    specials = {"\r": pygame.K_RETURN, "\x1b": pygame.K_ESCAPE, " ": pygame.K_SPACE}
    code = specials.get(ch, ord(ch.lower()) if ch.isalnum() else ord(ch))
    for kind in (pygame.KEYDOWN, pygame.KEYUP):
        pygame.event.post(pygame.event.Event(kind, key=code, unicode=ch, mod=0))


def read(kb: KeyboardInput, text: str, t: float, gap: float) -> tuple[list[KeyAction], float]:
    """``text`` typed ``gap`` s apart, pumped frame by frame as the loop does; then 0.3 s."""
    user = pygame.event.custom_type()
    actions: list[KeyAction] = []
    typed_at = [t + i * gap for i in range(len(text))]
    frame, end = t, t + len(text) * gap + 0.3
    while frame < end:
        for ch, at in zip(text, typed_at, strict=True):
            if frame - FRAME_S < at <= frame:
                post(ch)
        actions += pump_events(user, kb, frame)
        frame += FRAME_S
    return actions, frame


def buttons(actions: list[KeyAction]) -> list[str]:
    return [a.name for a in actions if a.kind == "button"]


def test_esc_space_and_enter_inside_a_read_are_card_characters_not_buttons() -> None:
    kb = KeyboardInput(hold_s=1.0, card_key_timeout_s=0.3)
    # a magstripe read with its sentinels, ESC and a space inside, then Enter
    actions, _ = read(kb, ";12\x1b34 56?\r", 1.0, READER_GAP_S)
    assert buttons(actions) == []  # no STOP, no START, no select
    assert [a.code for a in actions if a.kind == "card"] == ["123456"]


def test_a_read_of_only_symbols_and_enter_checks_no_one_in() -> None:
    kb = KeyboardInput(hold_s=1.0, card_key_timeout_s=0.3)
    kb.id_mode = True  # the check-in screen, where select would take a guest
    actions, _ = read(kb, ";%?+=\r", 1.0, READER_GAP_S)
    assert actions == []


def test_a_person_pressing_the_keys_still_gets_the_buttons() -> None:
    kb = KeyboardInput(hold_s=1.0, card_key_timeout_s=0.3)
    actions, _ = read(kb, " \x1b\r", 1.0, 0.4)  # a person: 400 ms apart
    assert buttons(actions) == ["start", "stop", "select"]
    assert BURST_GAP_S < 0.08
