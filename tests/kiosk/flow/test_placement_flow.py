"""The staff menu's "Check placement": the flow opens it, restarts it, saves its zone, leaves it."""

from __future__ import annotations

from kiosk.flow.effects import SaveZone, StartPlacementCheck, StopPlacementCheck
from kiosk.flow.machine import STAFF_MENU, FlowTimings, KioskController, Screen

ZONE = {"x0": 0.1, "y0": 0.05, "x1": 0.9, "y1": 0.98}


def kinds(effects: list) -> list[str]:
    return [e.kind for e in effects]


def open_check(c: KioskController, now: float = 2.0) -> list:
    """Unlock the staff screen (PIN 0000) and choose "Check placement"."""
    c.on_button("select", "hold", 0)
    for _ in range(4):
        c.on_button("select", "press", 1)
    assert c.staff.unlocked
    for _ in range(STAFF_MENU.index("Check placement")):
        c.on_button("down", "press", now)
    return c.on_button("select", "press", now)


def test_the_menu_offers_the_check_before_exit_and_quit_stays_last():
    assert "Check placement" in STAFF_MENU
    assert STAFF_MENU.index("Check placement") < STAFF_MENU.index("Exit")
    assert STAFF_MENU[-1] == "Quit kiosk"
    assert STAFF_MENU.index("Reload config") == 1  # one press down, as before


def test_choosing_it_starts_the_check_with_a_typed_effect():
    c = KioskController(staff_pin="0000")
    effects = open_check(c)
    assert effects == [StartPlacementCheck()]
    assert c.staff.checking_placement and c.screen is Screen.STAFF
    assert c.staff.placement_zone is None


def test_start_saves_the_suggested_zone_only_once_the_check_offers_one():
    c = KioskController(staff_pin="0000")
    open_check(c)
    assert c.on_button("start", "press", 3) == []  # still collecting: nothing to save
    assert c.staff.message == "No zone to save yet"
    c.on_placement_judged(dict(ZONE), 4)
    effects = c.on_button("start", "press", 5)
    # the zone editor's effect, with the edges saved whole instead of a move
    assert effects == [SaveZone(edges=ZONE)]
    assert c.staff.checking_placement  # the report stays up after saving


def test_the_console_side_the_check_read_is_saved_with_its_zone():
    c = KioskController(staff_pin="0000")
    open_check(c)
    c.on_placement_judged(dict(ZONE), 4, "right")
    assert c.on_button("start", "press", 5) == [SaveZone(edges=ZONE, console_side="right")]


def test_select_restarts_and_stop_goes_back_to_the_menu():
    c = KioskController(staff_pin="0000")
    open_check(c)
    c.on_placement_judged(dict(ZONE), 4)
    assert c.on_button("select", "press", 5) == [StartPlacementCheck()]
    assert c.staff.placement_zone is None  # the old suggestion is not saved by a new START
    assert kinds(c.on_button("stop", "press", 6)) == [StopPlacementCheck.kind]
    assert not c.staff.checking_placement and c.screen is Screen.STAFF
    assert c.staff.unlocked  # back on the menu, not locked out
    assert c.on_button("stop", "press", 7) == [] and c.screen is Screen.IDLE


def test_a_report_keeps_the_staff_screen_open_for_its_whole_time_out():
    c = KioskController(staff_pin="0000", timings=FlowTimings(staff_timeout_s=120))
    open_check(c, now=2)
    c.on_placement_judged(None, 100)  # judged, but no zone good enough to offer
    assert c.staff.placement_zone is None
    c.tick(200)
    assert c.screen is Screen.STAFF
    c.tick(221)
    assert c.screen is Screen.IDLE


def test_a_late_report_after_staff_left_changes_nothing():
    c = KioskController(staff_pin="0000")
    open_check(c)
    c.on_button("stop", "press", 3)
    c.on_placement_judged(dict(ZONE), 4)
    assert c.staff.placement_zone is None and not c.staff.checking_placement


def test_a_failed_check_refuses_nothing_members_still_start():
    c = KioskController(staff_pin="0000", checkin_enabled=False)
    open_check(c)
    c.on_placement_judged(None, 4)
    c.on_button("stop", "press", 5)
    c.on_button("stop", "press", 5)
    assert c.screen is Screen.IDLE
    c.on_button("start", "press", 6)
    assert c.screen is Screen.POSITION
