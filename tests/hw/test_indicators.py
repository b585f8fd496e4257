"""Status LED and buzzer on real gpiozero devices over MockFactory pins."""

from __future__ import annotations

import time
from collections.abc import Callable

from gpiozero.pins.mock import MockFactory, MockPin

from hw.indicators import BEEPS, Buzzer, StatusLed

LED_PIN, BUZZER_PIN = 25, 18
WAIT_S = 10.0  # a generous deadline for background threads, not a timing assert


def wait_until(predicate: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def edges(pin: MockPin) -> list[bool]:
    """The pin's level changes since it was created."""
    return [bool(s.state) for s in pin.states]


def test_led_is_steady_on_when_ready_and_dark_when_off(mock_factory: MockFactory) -> None:
    with StatusLed(LED_PIN) as led:
        pin = mock_factory.pin(LED_PIN)
        led.show_ready()
        assert pin.state and led.is_active and led.state == "ready"
        led.off()
        assert not pin.state and led.state == "off"


def test_led_blinks_on_alert(mock_factory: MockFactory) -> None:
    with StatusLed(LED_PIN) as led:
        pin = mock_factory.pin(LED_PIN)
        led.show_alert()
        assert led.state == "alert"
        # on, off, on: it keeps toggling by itself in gpiozero's background thread
        assert wait_until(lambda: edges(pin)[1:4] == [True, False, True])
        led.show_ready()
        assert pin.state  # steady again, the blink thread stopped


def test_repeating_the_same_state_does_not_restart_the_blink(mock_factory: MockFactory) -> None:
    with StatusLed(LED_PIN) as led:
        pin = mock_factory.pin(LED_PIN)
        led.show_attention()
        assert wait_until(lambda: len(pin.states) >= 2)
        led.show_attention()  # called every frame by the UI loop
        assert led.state == "attention"
        assert wait_until(lambda: edges(pin)[1:4] == [True, False, True])


def test_buzzer_beeps_in_the_background_with_the_tone_rhythm(mock_factory: MockFactory) -> None:
    with Buzzer(BUZZER_PIN) as buzzer:
        pin = mock_factory.pin(BUZZER_PIN)
        buzzer.beep_caution()  # returns at once: the beeps run in a gpiozero thread
        n = BEEPS["caution"][2]
        assert wait_until(lambda: edges(pin)[1:] == [True, False] * n)
        assert buzzer.last_tone == "caution"


def test_alert_and_good_tones_differ_in_beep_count(mock_factory: MockFactory) -> None:
    assert BEEPS["alert"][2] > BEEPS["caution"][2] > BEEPS["good"][2]
    with Buzzer(BUZZER_PIN) as buzzer:
        pin = mock_factory.pin(BUZZER_PIN)
        buzzer.beep_good()
        assert wait_until(lambda: edges(pin)[1:] == [True, False])


def test_silence_stops_an_alert(mock_factory: MockFactory) -> None:
    with Buzzer(BUZZER_PIN) as buzzer:
        pin = mock_factory.pin(BUZZER_PIN)
        buzzer.beep_alert()
        assert wait_until(lambda: len(pin.states) >= 2)
        buzzer.silence()
        assert not pin.state and not buzzer.is_active


def test_parts_without_a_pin_are_silent_no_ops() -> None:
    led, buzzer = StatusLed(None), Buzzer(None)
    led.show_alert()
    buzzer.beep_alert()
    buzzer.silence()
    assert not led.is_present and not buzzer.is_present
    assert not led.is_active and led.state == "alert" and buzzer.last_tone == "alert"
    led.close()
    buzzer.close()


def test_close_is_idempotent_and_releases_the_pin(mock_factory: MockFactory) -> None:
    led = StatusLed(LED_PIN)
    led.show_ready()
    led.close()
    led.close()
    assert not led.is_present
    with StatusLed(LED_PIN):  # the pin can be claimed again
        pass
