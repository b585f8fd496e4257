"""The button panel on real gpiozero Buttons over MockFactory pins."""

from __future__ import annotations

import importlib.util
import queue

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from pydantic import ValidationError

from hw.buttons import ButtonPanel
from hw.errors import NoGpio
from hw.events import BUTTON_NAMES, ButtonEvent
from hw.factory import make_pin_factory
from hw.settings import GpioConfig
from hw.station import open_hardware

#: Long enough for gpiozero's hold thread on a loaded 2-core machine; not a timing assert.
WAIT_S = 10.0


@pytest.fixture
def posted() -> queue.Queue[ButtonEvent]:
    """What the panel posted; a queue because callbacks may run in gpiozero's threads."""
    return queue.Queue()


def drain(q: queue.Queue[ButtonEvent]) -> list[ButtonEvent]:
    items = []
    while not q.empty():
        items.append(q.get_nowait())
    return items


def test_short_press_posts_one_press_on_release(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0)
    with ButtonPanel(cfg, posted.put) as panel:
        pin = mock_factory.pin(cfg.select)
        pin.drive_low()
        assert panel.is_pressed("select")
        assert drain(posted) == []  # not yet: it might become a hold
        pin.drive_high()
        assert drain(posted) == [ButtonEvent("select", "press")]


def test_each_configured_button_posts_its_own_name(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0)
    with ButtonPanel(cfg, posted.put):
        for name in BUTTON_NAMES:
            mock_factory.pin(getattr(cfg, name)).drive_low()
            mock_factory.pin(getattr(cfg, name)).drive_high()
    assert [e.button for e in drain(posted)] == list(BUTTON_NAMES)
    assert mock_factory.pin(cfg.start).pull == "up"  # pressed = pulled to ground


def test_stop_posts_press_as_soon_as_it_goes_down(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0)
    with ButtonPanel(cfg, posted.put):
        mock_factory.pin(cfg.stop).drive_low()
        assert drain(posted) == [ButtonEvent("stop", "press")]
        mock_factory.pin(cfg.stop).drive_high()
        assert drain(posted) == []


def test_hold_posts_hold_and_the_release_posts_no_press(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0, hold_s=0.5)
    with ButtonPanel(cfg, posted.put):
        pin = mock_factory.pin(cfg.select)
        pin.drive_low()
        assert posted.get(timeout=WAIT_S) == ButtonEvent("select", "hold")
        pin.drive_high()
        assert drain(posted) == []
        # the next short press is a press again
        pin.drive_low()
        pin.drive_high()
        assert drain(posted) == [ButtonEvent("select", "press")]


def test_pins_set_to_none_are_skipped(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(up=None, down=None, bounce_s=0)
    with ButtonPanel(cfg, posted.put) as panel:
        assert panel.buttons == ("start", "stop", "select")
        assert not panel.is_pressed("up")
        mock_factory.pin(22).drive_low()  # the default "up" pin is not ours now
        mock_factory.pin(22).drive_high()
        assert drain(posted) == []


def test_bounce_and_hold_times_come_from_the_config(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0.08, hold_s=3.0)
    with ButtonPanel(cfg, posted.put):
        assert mock_factory.pin(cfg.select).bounce == pytest.approx(0.08)


def test_duplicate_pins_are_rejected_by_the_config() -> None:
    with pytest.raises(ValidationError, match="GPIO17 is used twice"):
        GpioConfig(start=17, stop=17)


def test_close_is_idempotent_and_frees_the_pins(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0)
    panel = ButtonPanel(cfg, posted.put)
    panel.close()
    panel.close()
    assert panel.is_closed
    mock_factory.pin(cfg.select).drive_low()
    mock_factory.pin(cfg.select).drive_high()
    assert drain(posted) == []
    with ButtonPanel(cfg, posted.put):  # the pins can be claimed again
        pass


def test_a_failing_post_does_not_break_the_panel(mock_factory: MockFactory) -> None:
    got: list[ButtonEvent] = []

    def post(event: ButtonEvent) -> None:
        got.append(event)
        raise RuntimeError("event queue full")

    cfg = GpioConfig(bounce_s=0)
    with ButtonPanel(cfg, post):
        for _ in range(2):
            mock_factory.pin(cfg.up).drive_low()
            mock_factory.pin(cfg.up).drive_high()
    assert got == [ButtonEvent("up", "press")] * 2


def test_unknown_button_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown button"):
        ButtonEvent("enter", "press")  # type: ignore[arg-type]


def test_the_station_opens_its_buttons_on_the_mock_factory_from_the_config(posted) -> None:
    station = open_hardware(GpioConfig(pin_factory="mock"), posted.put)
    assert station.warning is None and station.panel is not None
    station.close()


def test_gpio_switched_off_means_keyboard_only(posted) -> None:
    station = open_hardware(GpioConfig(pin_factory="none"), posted.put)
    panel, warning = station.panel, station.warning
    assert panel is None
    assert warning is not None and "keyboard only" in warning


def test_no_loadable_pin_factory_means_keyboard_only(monkeypatch, posted) -> None:
    # gpiozero's own resolution, made to fail the way it does on a machine without GPIO.
    saved = Device.pin_factory
    Device.pin_factory = None
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-mock_factory")
    try:
        station = open_hardware(GpioConfig(pin_factory="auto"), posted.put)
        panel, warning = station.panel, station.warning
    finally:
        Device.pin_factory = saved
    assert panel is None
    assert warning is not None and "keyboard only" in warning and "no-such-mock_factory" in warning


def test_a_missing_gpio_library_raises_no_gpio_which_is_also_a_runtime_error() -> None:
    if importlib.util.find_spec("lgpio") is not None:
        pytest.skip("lgpio is installed here")
    with pytest.raises(RuntimeError, match="lgpio") as caught:
        make_pin_factory("lgpio")
    assert isinstance(caught.value, NoGpio)


def test_open_hardware_without_gpio_gives_silent_indicators(posted) -> None:
    station = open_hardware(GpioConfig(pin_factory="none"), posted.put)
    assert not station.has_buttons and station.warning
    assert not station.led.is_present and not station.buzzer.is_present
    station.led.show_alert()  # no-ops, same interface
    station.buzzer.beep_alert()
    assert station.led.state == "alert" and station.buzzer.last_tone == "alert"
    station.close()
    station.close()


def test_open_hardware_on_mock_pins_wires_everything(mock_factory: MockFactory, posted) -> None:
    cfg = GpioConfig(bounce_s=0)
    station = open_hardware(cfg, posted.put, mock_factory)
    try:
        assert station.warning is None and station.panel is not None
        station.led.show_ready()
        assert mock_factory.pin(cfg.led).state
        mock_factory.pin(cfg.start).drive_low()
        mock_factory.pin(cfg.start).drive_high()
        assert drain(posted) == [ButtonEvent("start", "press")]
    finally:
        station.close()
