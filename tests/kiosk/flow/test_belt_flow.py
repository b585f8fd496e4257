"""The treadmill's belt as an input: it starts a waiting member's session, pauses and resumes."""

from __future__ import annotations

from kiosk.flow.effects import BeginSession, PauseSession, ResumeSession
from kiosk.flow.machine import BELT_STARTED, BELT_STOPPED, KioskController, Screen


def at_position(has_baseline: bool = False, in_view: bool = True) -> KioskController:
    """A member checked in (by card) and waiting on the position screen."""
    c = KioskController()
    c.on_card("1234", 0.0)
    c.on_checkin_result(True, 0.5, member_id="1234", name="Ada", has_baseline=has_baseline)
    assert c.screen is Screen.POSITION
    if in_view:
        c.on_vision(c.vision.__class__(camera="ok", person=True), 1.0)
    return c


def test_a_belt_that_starts_begins_a_waiting_members_session() -> None:
    c = at_position()
    assert c.on_belt(BELT_STARTED, 2.0) == [BeginSession("none")]
    assert c.screen is Screen.SESSION and c.is_session_active
    stored = at_position(has_baseline=True)
    assert stored.on_belt(BELT_STARTED, 2.0) == [BeginSession("stored")]


def test_a_belt_starting_on_the_baseline_screen_begins_the_session_too() -> None:
    c = at_position()
    c.on_vision(c.vision.__class__(camera="ok", person=True), 1.0)
    c.on_button("start", "press", 1.0)
    assert c.screen is Screen.BASELINE
    assert c.on_belt(BELT_STARTED, 2.0) == [BeginSession("none")]


def test_nobody_checked_in_a_moving_belt_starts_nothing() -> None:
    c = KioskController()
    assert c.on_belt(BELT_STARTED, 1.0) == []
    assert c.screen is Screen.IDLE


def test_a_stopped_belt_pauses_and_a_moving_one_resumes_that_pause() -> None:
    c = at_position()
    c.on_belt(BELT_STARTED, 2.0)
    assert c.on_belt(BELT_STOPPED, 10.0) == [PauseSession()]
    assert c.screen is Screen.PAUSE
    assert c.on_belt(BELT_STARTED, 14.0) == [ResumeSession()]
    assert c.screen is Screen.SESSION


def test_a_button_pause_stays_until_the_button() -> None:
    c = at_position()
    c.on_belt(BELT_STARTED, 2.0)
    assert c.on_button("start", "press", 5.0) == [PauseSession()]
    assert c.on_belt(BELT_STOPPED, 8.0) == []  # already paused, by the member
    assert c.on_belt(BELT_STARTED, 12.0) == []
    assert c.screen is Screen.PAUSE
    assert c.on_button("start", "press", 13.0) == [ResumeSession()]
    assert c.screen is Screen.SESSION


def test_a_belt_started_with_nobody_in_view_waits_for_the_member_to_be_seen() -> None:
    c = at_position(in_view=False)
    assert c.on_belt(BELT_STARTED, 2.0) == []  # as START: nobody in the picture yet
    assert c.screen is Screen.POSITION and c.tick(2.5) == []
    c.on_vision(c.vision.__class__(camera="ok", person=True), 3.0)
    assert c.tick(3.1) == [BeginSession("none")]
    assert c.screen is Screen.SESSION


def test_a_belt_stopped_before_anyone_is_seen_starts_nothing_later() -> None:
    c = at_position(in_view=False)
    c.on_belt(BELT_STARTED, 2.0)
    c.on_belt(BELT_STOPPED, 3.0)
    c.on_vision(c.vision.__class__(camera="ok", person=True), 4.0)
    assert BeginSession("none") not in c.tick(4.1)
