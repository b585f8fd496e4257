"""The kiosk's screen flow as pure logic: buttons, card codes, vision and time in, screens out."""

from __future__ import annotations

from dataclasses import replace

from kiosk.flow.machine import FlowTimings, KioskController, Screen, VisionSnapshot

READY = VisionSnapshot(camera="ok", person=True, whole_body=True, in_zone=True, side_view=True)
NOBODY = VisionSnapshot(camera="ok")


def kinds(effects):
    return [e.kind for e in effects]


def controller(**kw) -> KioskController:
    kw.setdefault("member_id_digits", 4)
    return KioskController(**kw)


def to_session(c: KioskController, t: float = 0.0) -> float:
    """Walk the happy path as a guest up to the session; returns the time reached."""
    c.on_button("start", "press", t)
    c.on_button("select", "press", t + 1)  # guest
    assert c.screen is Screen.POSITION
    c.on_vision(READY, t + 2)
    c.tick(t + 2)
    effects = c.tick(t + 4.5)
    assert c.screen is Screen.BASELINE and "start_baseline" in kinds(effects)
    c.on_vision(_with_progress(1.0), t + 6)
    effects = c.tick(t + 7.6)
    assert c.screen is Screen.SESSION and "begin_session" in kinds(effects)
    c.on_vision(READY, t + 8)
    return t + 8


def _with_progress(p: float) -> VisionSnapshot:
    return VisionSnapshot(
        camera="ok", person=True, whole_body=True, in_zone=True, side_view=True, baseline_progress=p
    )


def test_start_opens_checkin_and_select_walks_as_guest():
    c = controller()
    c.on_button("start", "press", 0)
    assert c.screen is Screen.CHECKIN
    c.on_button("select", "press", 1)
    assert c.screen is Screen.POSITION
    assert c.member is not None and c.member.is_guest


def test_without_checkin_methods_start_goes_straight_to_position():
    c = controller(checkin_enabled=False)
    c.on_button("start", "press", 0)
    assert c.screen is Screen.POSITION


def test_position_advances_only_after_the_member_is_stable_for_two_seconds():
    c = controller(checkin_enabled=False)
    c.on_button("start", "press", 0)
    c.on_vision(READY, 1.0)
    c.tick(1.0)
    c.tick(2.5)
    assert c.screen is Screen.POSITION
    assert 0 < c.position_ready_fraction(2.5) < 1
    c.on_vision(NOBODY, 2.6)  # stepped out: the timer restarts
    c.tick(2.6)
    c.on_vision(READY, 3.0)
    c.tick(3.0)
    c.tick(4.9)
    assert c.screen is Screen.POSITION
    assert kinds(c.tick(5.1)) == ["start_baseline"]
    assert c.screen is Screen.BASELINE


def test_start_in_position_skips_the_wait_but_only_with_someone_seen():
    c = controller(checkin_enabled=False)
    c.on_button("start", "press", 0)
    c.on_vision(NOBODY, 0.5)
    assert c.on_button("start", "press", 1) == []
    assert c.screen is Screen.POSITION
    c.on_vision(VisionSnapshot(camera="ok", person=True), 1.5)
    assert kinds(c.on_button("start", "press", 2)) == ["start_baseline"]


def test_the_summary_stays_until_a_button_or_the_next_members_card():
    """Issue 22: a 30 s timeout took the summary away while the member was still reading."""
    c = controller()
    t = to_session(c)
    c.on_button("stop", "press", t + 1)
    assert c.screen is Screen.SUMMARY
    c.tick(t + 600)
    assert c.screen is Screen.SUMMARY  # no timeout
    assert kinds(c.on_card("1234", t + 601)) == ["check_in"]
    assert c.screen is Screen.CHECKIN  # the next member checks in over it


def test_full_flow_to_summary_and_back_to_idle_after_timeout():
    c = controller(timings=FlowTimings(summary_timeout_s=30))
    t = to_session(c)
    assert kinds(c.on_button("start", "press", t + 1)) == ["pause_session"]
    assert c.screen is Screen.PAUSE
    assert kinds(c.on_button("start", "press", t + 2)) == ["resume_session"]
    assert kinds(c.on_button("stop", "press", t + 3)) == ["end_session"]
    assert c.screen is Screen.SUMMARY
    c.tick(t + 20)
    assert c.screen is Screen.SUMMARY
    c.tick(t + 34)
    assert c.screen is Screen.IDLE
    assert c.member is None
    assert c.states_seen == [
        "idle",
        "checkin",
        "position",
        "baseline",
        "session",
        "pause",
        "summary",
    ]


def test_any_button_on_summary_returns_to_idle():
    c = controller()
    t = to_session(c)
    c.on_button("stop", "press", t)
    c.on_button("down", "press", t + 1)
    assert c.screen is Screen.IDLE


def test_program_end_shows_summary():
    c = controller()
    t = to_session(c)
    assert kinds(c.on_session_finished(t + 100)) == ["end_session"]
    assert c.screen is Screen.SUMMARY


def test_safety_event_preempts_session_and_needs_member_back_and_start():
    c = controller()
    t = to_session(c)
    effects = c.on_vision_event("safety", {"reason": "drift_back"}, t + 1)
    assert c.screen is Screen.SAFETY
    assert kinds(effects) == ["pause_session", "alert_on"]
    assert c.safety_reason == "drift_back"
    c.on_vision(NOBODY, t + 2)
    assert c.on_button("start", "press", t + 3) == []  # not back in place yet
    assert c.screen is Screen.SAFETY
    # whole body in view but still past the belt-end limit: not back in place either
    past = replace(READY, drift=0.9)
    c.on_vision(past, t + 4)
    c.on_vision(past, t + 6)
    assert c.on_button("start", "press", t + 6.1) == []
    # back inside the limit, and held (one good frame is not enough)
    inside = replace(READY, drift=0.5)
    c.on_vision(inside, t + 7)
    assert c.on_button("start", "press", t + 7.1) == []
    c.on_vision(inside, t + 8.6)
    assert kinds(c.on_button("start", "press", t + 8.7)) == ["alert_off", "resume_session"]
    assert c.screen is Screen.SESSION


def test_safety_events_outside_a_session_are_ignored():
    c = controller()
    assert c.on_vision_event("safety", {"reason": "fall"}, 1) == []
    assert c.screen is Screen.IDLE


def test_stop_on_safety_ends_the_session():
    c = controller()
    t = to_session(c)
    c.on_vision_event("safety", {"reason": "fall"}, t)
    assert kinds(c.on_button("stop", "press", t + 1)) == ["alert_off", "end_session"]
    assert c.screen is Screen.SUMMARY


def test_camera_lost_pauses_the_session_and_returns_when_frames_come_back():
    c = controller()
    t = to_session(c)
    effects = c.on_vision(VisionSnapshot(camera="lost"), t + 1)
    assert c.screen is Screen.CAMERA_LOST and kinds(effects) == ["pause_session"]
    c.on_vision(VisionSnapshot(camera="lost"), t + 2)
    effects = c.on_vision(READY, t + 5)
    assert c.screen is Screen.SESSION and kinds(effects) == ["resume_session"]


def test_camera_lost_during_baseline_returns_to_position():
    c = controller(checkin_enabled=False)
    c.on_button("start", "press", 0)
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0.1)
    c.on_button("start", "press", 0.2)
    assert c.screen is Screen.BASELINE
    c.on_vision(VisionSnapshot(camera="ended"), 1)
    assert c.screen is Screen.CAMERA_LOST
    c.on_vision(NOBODY, 2)
    assert c.screen is Screen.POSITION


def test_camera_lost_on_idle_says_so_and_returns_to_idle():
    # issue 11: a station without a camera shows "camera lost", not a waiting idle screen
    c = controller()
    c.on_vision(VisionSnapshot(camera="lost"), 1)
    assert c.screen is Screen.CAMERA_LOST
    c.on_vision(VisionSnapshot(camera="ok"), 2)
    assert c.screen is Screen.IDLE


def test_card_code_checks_in_and_result_decides_the_screen():
    c = controller()
    effects = c.on_card("  123456 ", 1)
    assert c.screen is Screen.CHECKIN
    assert effects[0].kind == "check_in"
    assert (effects[0].code, effects[0].method) == ("123456", "card")
    c.on_checkin_result(False, 2, reason="Membership expired")
    assert c.screen is Screen.CHECKIN_REJECTED
    assert c.checkin.rejected_reason == "Membership expired"
    c.tick(7)
    assert c.screen is Screen.CHECKIN
    c.on_card("42", 8)
    c.on_checkin_result(True, 9, member_id="42", name="Ada")
    assert c.screen is Screen.POSITION
    assert c.member is not None and c.member.name == "Ada" and not c.member.is_guest


def test_card_codes_are_ignored_during_a_session():
    c = controller()
    t = to_session(c)
    assert c.on_card("99", t) == []
    assert c.screen is Screen.SESSION


def test_member_number_entered_with_buttons():
    c = controller(member_id_digits=3)
    c.on_button("start", "press", 0)
    for button in ("up", "up", "select", "down", "select"):
        assert c.on_button(button, "press", 1) == []
    effects = c.on_button("up", "press", 1) + c.on_button("select", "press", 1)
    assert effects[0].kind == "check_in"
    assert (effects[0].code, effects[0].method) == ("291", "buttons")


def test_staff_screen_needs_the_right_pin_entered_with_buttons():
    c = controller(staff_pin="1200")
    c.on_button("select", "hold", 0)
    assert c.screen is Screen.STAFF and not c.staff.unlocked
    # wrong PIN 0000
    for _ in range(4):
        c.on_button("select", "press", 1)
    assert c.staff.wrong_pin and not c.staff.unlocked
    c.on_button("up", "press", 2)
    c.on_button("select", "press", 2)
    c.on_button("up", "press", 2)
    c.on_button("up", "press", 2)
    c.on_button("select", "press", 2)
    c.on_button("select", "press", 2)
    c.on_button("select", "press", 2)
    assert c.staff.unlocked


def test_staff_hold_is_ignored_while_coaching():
    c = controller()
    t = to_session(c)
    c.on_button("select", "hold", t)
    assert c.screen is Screen.SESSION


def test_staff_menu_reloads_config_and_adjusts_the_zone():
    c = controller(staff_pin="0000")
    c.on_button("select", "hold", 0)
    for _ in range(4):
        c.on_button("select", "press", 1)
    assert c.staff.unlocked
    c.on_button("down", "press", 2)  # Reload config
    assert kinds(c.on_button("select", "press", 2)) == ["reload_config"]
    c.on_button("up", "press", 3)  # Adjust zone
    c.on_button("select", "press", 3)
    assert c.staff.adjusting_zone
    c.on_button("up", "press", 4)
    c.on_button("up", "press", 4)
    c.on_button("select", "press", 4)  # next edge: x1
    c.on_button("down", "press", 4)
    effects = c.on_button("start", "press", 5)
    assert effects[0].kind == "save_zone"
    assert effects[0].delta == {"x0": 0.02, "x1": -0.01}


def test_staff_screen_times_out_to_idle():
    c = controller(timings=FlowTimings(staff_timeout_s=120))
    c.on_button("select", "hold", 0)
    c.tick(100)
    assert c.screen is Screen.STAFF
    c.tick(121)
    assert c.screen is Screen.IDLE


def test_baseline_that_never_completes_coaches_on_absolute_limits():
    c = controller(checkin_enabled=False, timings=FlowTimings(baseline_timeout_s=10))
    c.on_button("start", "press", 0)
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0)
    c.on_button("start", "press", 0)
    c.on_vision(_with_progress(0.3), 5)
    c.tick(5)
    assert c.screen is Screen.BASELINE
    effects = c.tick(11)
    assert c.screen is Screen.SESSION
    assert effects[0].kind == "begin_session" and effects[0].baseline == "none"


def test_a_walking_baseline_gets_time_for_its_steps():
    c = controller(checkin_enabled=False, timings=FlowTimings(baseline_timeout_s=10))
    c.on_button("start", "press", 0)
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0)
    c.on_button("start", "press", 0)
    walking = VisionSnapshot(camera="ok", person=True, baseline_progress=0.5, baseline_walking=True)
    c.on_vision(walking, 5)
    c.tick(11)
    assert c.screen is Screen.BASELINE  # still counting her steps
    c.on_vision(replace(walking, baseline_progress=1.0), 14)
    effects = c.tick(14)
    assert c.screen is Screen.SESSION and effects[0].baseline == "captured"


def test_baseline_with_nobody_in_view_returns_to_position():
    c = controller(checkin_enabled=False, timings=FlowTimings(baseline_timeout_s=10))
    c.on_button("start", "press", 0)
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0)
    c.on_button("start", "press", 0)
    c.on_vision(NOBODY, 5)
    c.tick(11)
    assert c.screen is Screen.POSITION


def test_start_on_baseline_skips_it():
    c = controller(checkin_enabled=False)
    c.on_button("start", "press", 0)
    c.on_vision(VisionSnapshot(camera="ok", person=True), 0)
    c.on_button("start", "press", 0)
    effects = c.on_button("start", "press", 1)
    assert c.screen is Screen.SESSION and effects[0].baseline == "none"


def test_the_welcome_is_read_before_position_moves_on_by_itself():
    """Issue 22: the welcome (name, today's plan) is not cut short by a member already in place."""
    c = controller(timings=FlowTimings(welcome_s=6.0))
    c.on_button("start", "press", 0)
    c.on_button("select", "press", 1)  # guest: the position screen and its welcome at t=1
    c.on_vision(READY, 1.5)
    c.tick(1.5)
    c.tick(4.0)  # stable for 2.5 s, but the welcome has been up for 3 s only
    assert c.screen is Screen.POSITION
    c.tick(7.1)
    assert c.screen is Screen.BASELINE
