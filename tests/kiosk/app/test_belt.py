"""The belt as an input: only a start or a stop is told, judged on fresh readings only."""

from __future__ import annotations

from dataclasses import dataclass

from hw.ble.link import TreadmillReading
from hw.ble.links import MachineReadings
from kiosk.app.belt import BeltWatch
from kiosk.flow.effects import BeginSession, PauseSession, ResumeSession
from kiosk.flow.machine import KioskController, Screen
from kiosk.flow.types import VisionSnapshot


@dataclass
class Links:
    """What `MachineLinks` holds (its links run over bumble's radio in tests/hw/ble)."""

    kmh: float = 0.0
    at: float = 0.0
    connected: bool = True
    treadmill: object = "linked"

    def read(self) -> MachineReadings:
        reading = TreadmillReading(speed_kmh=self.kmh, connected=self.connected, updated_at=self.at)
        return MachineReadings(reading, None, self.at)


def run(watch: BeltWatch, c: KioskController, links: Links, kmh: float, start: float, end: float):
    effects = []
    t = start
    while t <= end:
        links.kmh, links.at = kmh, t
        effects += watch.step(c, t)
        t = round(t + 0.5, 3)
    return effects


def checked_in() -> KioskController:
    c = KioskController()
    c.on_card("1234", 0.0)
    c.on_checkin_result(True, 0.5, member_id="1234", name="Ada")
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0.6)  # the member in the picture
    return c


def test_a_belt_moving_two_seconds_starts_the_waiting_members_session() -> None:
    links, c = Links(), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    assert run(watch, c, links, 0.0, 1.0, 5.0) == []
    assert run(watch, c, links, 0.2, 5.5, 8.0) == []  # a console's idle creep is no start
    effects = run(watch, c, links, 3.0, 8.5, 12.0)
    assert effects == [BeginSession("none")]
    assert c.screen is Screen.SESSION
    assert run(watch, c, links, 0.0, 12.5, 15.0) == []  # under 3 s still: no pause yet
    assert run(watch, c, links, 0.0, 15.5, 16.0) == [PauseSession()]
    assert run(watch, c, links, 3.0, 16.5, 20.0) == [ResumeSession()]


def test_a_belt_already_moving_at_check_in_starts_nothing_until_it_starts_again() -> None:
    links, c = Links(), KioskController()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    assert run(watch, c, links, 3.0, 0.0, 5.0) == []  # idle: nobody to start
    c.on_card("1234", 5.0)
    c.on_checkin_result(True, 5.5, member_id="1234", name="Ada")
    assert run(watch, c, links, 3.0, 6.0, 12.0) == []
    assert c.screen is Screen.POSITION


def test_a_dropped_link_is_neither_a_stopped_nor_a_moving_belt() -> None:
    links, c = Links(), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    run(watch, c, links, 3.0, 1.0, 5.0)
    assert c.screen is Screen.SESSION
    links.connected = False  # the console went away: the last speed is stale, not zero
    assert run(watch, c, links, 0.0, 5.5, 20.0) == []
    assert c.screen is Screen.SESSION


def test_without_a_treadmill_the_watch_does_nothing() -> None:
    links, c = Links(treadmill=None), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    assert run(watch, c, links, 3.0, 1.0, 10.0) == []


def test_a_belt_stopped_during_a_safety_stop_pauses_the_resumed_session() -> None:
    """The safety screen says "Stop the belt"; the member does, is back in place and presses
    START: a belt still standing 3 s into the resumed session pauses it (the clock must not
    run on a stopped belt), and starting the belt resumes it."""
    links, c = Links(), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    run(watch, c, links, 3.0, 1.0, 5.0)
    assert c.screen is Screen.SESSION
    c.on_vision_event("safety", {"reason": "fall", "direction": "backward"}, 5.2)
    assert c.screen is Screen.SAFETY
    assert run(watch, c, links, 0.0, 5.5, 15.0) == []  # stopped on the safety screen
    back = VisionSnapshot(person=True, whole_body=True, in_zone=True, posture="upright")
    c.on_vision(back, 15.0)
    c.on_vision(back, 17.0)
    c.on_button("start", "press", 17.0)
    assert c.screen is Screen.SESSION
    assert run(watch, c, links, 0.0, 17.5, 19.5) == []  # under 3 s: time to start the belt
    assert run(watch, c, links, 0.0, 20.0, 21.0) == [PauseSession()]
    assert run(watch, c, links, 3.0, 21.5, 25.0) == [ResumeSession()]


def test_a_belt_stopped_during_a_button_pause_pauses_the_session_resumed_by_the_button() -> None:
    links, c = Links(), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    run(watch, c, links, 3.0, 1.0, 5.0)
    c.on_button("start", "press", 5.2)  # the member pauses with the button
    assert c.screen is Screen.PAUSE
    assert run(watch, c, links, 0.0, 5.5, 15.0) == []  # and stops the belt: a button pause
    c.on_button("start", "press", 15.2)
    assert c.screen is Screen.SESSION
    assert run(watch, c, links, 0.0, 15.5, 18.0) == []
    assert run(watch, c, links, 0.0, 18.5, 19.0) == [PauseSession()]


def test_a_session_started_by_button_on_a_belt_at_rest_is_not_paused_by_it() -> None:
    """The member starts the belt after the session begins (a standing baseline first)."""
    links, c = Links(), checked_in()
    watch = BeltWatch(links)  # type: ignore[arg-type]
    assert run(watch, c, links, 0.0, 1.0, 5.0) == []
    c.on_vision(VisionSnapshot(person=True, whole_body=True, in_zone=True), 5.0)
    c.on_button("start", "press", 5.0)
    c.on_button("start", "press", 5.1)  # skip the baseline
    assert c.screen is Screen.SESSION
    assert run(watch, c, links, 0.0, 5.5, 30.0) == []
