"""Views of every kiosk screen in the states a member meets, for rendered-screen tests."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.machine import KioskController, Screen
from kiosk.flow.staff_menu import StaffState
from kiosk.flow.types import VisionSnapshot
from kiosk.session.report import Limits, summary_view
from kiosk.session.views import CueView, MachineView, SessionView, SummaryView
from kiosk.ui.view_state import StaffView, ViewState

SIZES = [(800, 480), (1024, 600), (1280, 720), (1920, 1080)]
#: The sizes as pytest parameters: the official 7-inch panel (800x480) in the quick loop,
#: the larger ones in the full run only (every rendered-screen sweep repeats per size).
SIZE_PARAMS = [
    pytest.param(
        size, id=f"{size[0]}x{size[1]}", marks=() if size == (800, 480) else pytest.mark.slow
    )
    for size in SIZES
]

#: A take-away link as the kiosk makes it (a LAN address, a 22-character token).
TAKEAWAY_URL = "http://192.168.1.20:8080/take/AbCdEfGhIjKlMnOpQrStUv"

#: Cues of every role, including the longest wording the catalog uses.
CUES = {
    "good": CueView("Nice and tall — keep it up", "good", "tick"),
    "caution": CueView("Brace your core gently", "caution", "triangle"),
    "fault": CueView("Chest up — stand tall", "fault", "triangle"),
    "alert": CueView("Hold the rails — step back into view", "alert", "octagon"),
    "info": CueView("Walk BACKWARD · 1 mph", "info", "circle"),
    "long": CueView("Reach back with your toes and roll onto the heel softly", "caution"),
}


def standing_landmarks() -> np.ndarray:
    """A plausible standing body (normalised), every landmark visible."""
    lm = np.zeros((33, 4))
    lm[:, 3] = 0.95
    lm[:, 0] = 0.55
    for idx, y in (
        (0, 0.2),
        (11, 0.3),
        (12, 0.3),
        (23, 0.55),
        (24, 0.55),
        (25, 0.72),
        (26, 0.72),
        (27, 0.9),
        (28, 0.9),
        (29, 0.92),
        (30, 0.92),
        (31, 0.93),
        (32, 0.93),
        (13, 0.42),
        (14, 0.42),
        (15, 0.52),
        (16, 0.52),
    ):
        lm[idx, 1] = y
    return lm


#: What a treadmill and a strap may say during a session (`SessionView.machine`).
MACHINES = {
    "live": MachineView("mph", 2.1, 412.0, 0.52, 1.0, False, 128, 3, False),
    "no_zone": MachineView("mph", 1.5, 80.0, 0.41, None, False, 97, None, False),
    "stale": MachineView("mph", 2.1, 412.0, 0.52, 1.0, True, 128, 3, True),
    "widest": MachineView("km/h", 12.5, 12480.0, 1.27, 15.0, False, 188, 5, False),
}


def session_view(**changes: object) -> SessionView:
    """A backward block mid-session."""
    s = SessionView(
        block_name="Backward",
        block_index=1,
        block_count=3,
        elapsed_s=40,
        remaining_s=110,
        total_remaining_s=500,
        pct_upright=86,
        streak_s=31,
        lean_deg=4.0,
        core_score=100,
        cadence_spm=94,
        posture="upright",
        instruction="Walk BACKWARD · 1 mph",
        next_instruction="FORWARD 2 mph",
        blocks=[(120.0, False), (150.0, True), (60.0, False)],
        session_elapsed_s=160.0,
    )
    for key, value in changes.items():
        setattr(s, key, value)
    return s


def sample_summary(pct_bad: float = 0.3, seconds: int = 150) -> dict[str, object]:
    """A stats-style summary: a member 5° forward of upright at baseline, some lapses."""
    samples = []
    upright_s = 0
    for t in range(seconds):
        bad = (t % 10) < pct_bad * 10
        lean = 5.0 + (16.0 if bad else 2.0 * np.sin(t / 5))
        posture = "leaning_forward" if bad else "upright"
        upright_s += not bad
        samples.append(
            {
                "t": float(t),
                "trunk_lean_deg": round(float(lean), 2),
                "lateral_lean_deg": 0.5,
                "core_score": 60.0 + 20 * np.cos(t / 20),
                "cadence_spm": 92.0,
                "posture": posture,
            }
        )
    return {
        "active_s": float(seconds + 120),
        "upright_percent": 100.0 * upright_s / seconds,
        "longest_streak_s": 75.0,
        "average_cadence_spm": 92.0,
        "average_core_score": 70.0,
        "backward_minutes": seconds / 60,
        "samples": samples,
    }


def summary(last: bool = True, zero: bool = False, baseline: float | None = 5.0) -> SummaryView:
    """The summary screen's data, built the way the kiosk builds it."""
    previous = None
    if last:
        previous = {
            "upright_percent": 0.0 if zero else 60.0,
            "longest_streak_s": 0.0 if zero else 50.0,
            "average_cadence_spm": 90.0,
            "average_core_score": 66.0,
            "backward_minutes": 0.0 if zero else 2.0,
        }
    view = summary_view(
        dict(sample_summary(), steps=412, safety={"member_lost": 1}),
        Limits(10.0, 8.0, 8.0),
        previous,
        "Great posture! Try 3 minutes of backward walking next time.",
        baseline_lean_deg=baseline,
        bests={"upright_percent": 65.0, "longest_streak_s": 90.0, "backward_minutes": 2.0},
    )
    view.takeaway_url = TAKEAWAY_URL
    return view


def summary_with_machine(kmh: bool = False) -> SummaryView:
    """The summary of a session with a treadmill and a strap: their rows and per-second lines."""
    from kiosk.session.views import Compare

    view = summary()
    n = len(view.times)
    if kmh:
        view.speed_units = "km/h"
        view.speed_by_second = [None if i < 5 else 3.4 + (i % 40) / 10 for i in range(n)]
        rows = [
            Compare("Speed", "12.5 km/h", "11.8 km/h", 1, True, "12.0 km/h"),
            Compare("Distance", "12.48 km", "11.02 km", 1),
            Compare("Stride", "1.27 m", "1.20 m", 1),
            Compare("Heart rate", "188 bpm", "179 bpm", -1, note="peak 201"),
            Compare("Heart rate peak", "201 bpm", "190 bpm", -1),
        ]
    else:
        view.speed_by_second = [None if i < 5 else 1.0 + (i // 50) * 0.5 for i in range(n)]
        rows = [
            Compare("Speed", "1.6 mph", "1.4 mph", 1, False, "1.8 mph"),
            Compare("Distance", "0.26 mi", "0.22 mi", 1),
            Compare("Stride", "20 in", "19 in", 0),
            Compare("Heart rate", "128 bpm, peak 151", "131 bpm", 0, note="peak 151"),
        ]
    view.heart_rate_by_second = [None if i % 30 == 0 else 95 + i // 3 for i in range(n)]
    view.rows = [*view.rows, *rows]
    return view


def make_view(
    screen: Screen, frame: np.ndarray | None, cue: CueView | None = CUES["fault"]
) -> ViewState:
    """A view of ``screen`` with a member in place and a session under way."""
    c = KioskController(member_id_digits=6)
    return ViewState(
        screen=screen,
        now=12.0,
        frame=frame,
        frame_index=3,
        landmarks=standing_landmarks(),
        posture="upright",
        camera_state="ok",
        person=True,
        in_zone=True,
        whole_body=True,
        side_view=False,
        ready_fraction=0.4,
        baseline_progress=0.5,
        session=session_view(),
        cue=cue,
        controller=c,
        member_name="Ada Lovelace-Byron",
        safety_reason="member_lost",
        summary=summary(),
        staff=StaffView(
            camera="demo (ok)",
            model="full",
            ui_fps=30,
            pose_fps=11,
            gpio_warning="Buttons unavailable — keyboard only.",
        ),
        screen_seconds=3.0,
    )


def variants(frame: np.ndarray | None) -> dict[str, ViewState]:
    """Every screen, and the states of it that draw differently, by name."""
    out: dict[str, ViewState] = {}
    for screen in Screen:
        out[screen.value] = make_view(screen, frame)
    for role, cue in CUES.items():
        out[f"session_cue_{role}"] = make_view(Screen.SESSION, frame, cue)
    measuring = make_view(Screen.SESSION, frame, None)
    measuring.session = session_view(
        lean_deg=None, core_score=None, cadence_spm=None, pct_upright=None, posture=None
    )
    out["session_measuring"] = measuring
    leaning = make_view(Screen.SESSION, frame, CUES["fault"])
    leaning.session = session_view(lean_deg=17.0, posture="leaning_forward", core_score=35)
    out["session_leaning"] = leaning
    # The widest numbers a member can reach: every second upright, a fast cadence.
    widest = make_view(Screen.SESSION, frame, CUES["good"])
    widest.session = session_view(pct_upright=100, cadence_spm=188)
    out["session_widest_numbers"] = widest
    # a treadmill and a strap linked: each readout in its turn, live, stale, with and
    # without a heart-rate zone, and the widest numbers in km/h
    for name, machine in MACHINES.items():
        for turn, now in enumerate((0.0, 10.0, 20.0, 50.0)):  # speed, heart, distance, stride
            linked = make_view(Screen.SESSION, frame, CUES["fault"])
            linked.session = session_view(machine=machine)
            linked.now = now
            out[f"session_machine_{name}_{turn}"] = linked
    editing = make_view(Screen.CHECKIN, frame)
    editing.controller.checkin.editing = True
    editing.controller.checkin.entry = DigitEntry(6, [4, 2], 7)
    out["checkin_editing"] = editing
    first = make_view(Screen.CHECKIN, frame)
    first.controller.checkin.editing = True
    out["checkin_first_digit"] = first
    rejected = make_view(Screen.CHECKIN_REJECTED, frame)
    rejected.controller.checkin.rejected_reason = (
        "Membership expired on 3\u00a0March — please see staff"
    )
    out["checkin_rejected_reason"] = rejected
    ready = make_view(Screen.SAFETY, frame)
    # back in place only once back inside the limits, held (kiosk.flow.safety_resume)
    ready.controller.safety.start("member_lost", "backward", 0.0)
    here = VisionSnapshot(person=True, whole_body=True, in_zone=True, posture="upright")
    ready.controller.safety.update(here, 0.0)
    ready.controller.safety.update(here, 2.0)
    out["safety_back_in_place"] = ready
    lost = make_view(Screen.SAFETY, frame)
    lost.person = False
    out["safety_member_lost"] = lost
    # every stop says what happened and what to do, whole (the longest wrap to 4 lines)
    for reason, direction in (("fall", "backward"), ("drift_back", "forward")):
        stop = make_view(Screen.SAFETY, frame)
        stop.safety_reason = reason
        stop.controller.safety.start(reason, direction, 0.0)
        out[f"safety_{reason}_{direction}"] = stop
    gone = make_view(Screen.CAMERA_LOST, frame)
    gone.camera_message = "cannot open /dev/video0: No such device"
    out["camera_lost_with_error"] = gone
    # no camera for over 30 s: the idle and camera-lost screens ask for staff
    for screen in (Screen.IDLE, Screen.CAMERA_LOST):
        away = make_view(screen, None)
        away.camera_state, away.camera_down_s = "lost", 31.0
        out[f"{screen.value}_no_camera_30s"] = away
    walking = make_view(Screen.POSITION, frame)
    walking.walking = True
    out["position_walking"] = walking
    zero = make_view(Screen.SUMMARY, frame)
    zero.summary = summary(zero=True)
    out["summary_zero_last"] = zero
    first_time = make_view(Screen.SUMMARY, frame)
    first_time.summary = summary(last=False)
    out["summary_first_time"] = first_time
    skipped = make_view(Screen.SUMMARY, frame)
    skipped.summary = summary(baseline=None)
    out["summary_no_baseline"] = skipped
    # the summary's pages take turns: every page, and the summary without a take-away link
    for page in range(1, 5):
        turn = make_view(Screen.SUMMARY, frame)
        turn.screen_seconds = 6.0 * page + 1
        out[f"summary_page_{page}"] = turn
    no_link = make_view(Screen.SUMMARY, frame)
    no_link.summary = summary()
    no_link.summary.takeaway_url = ""
    out["summary_no_link"] = no_link
    # a treadmill and a strap were linked: four more rows, the speed and heart-rate charts
    for name, machine_summary in (
        ("", summary_with_machine()),
        ("_kmh", summary_with_machine(True)),
    ):
        from kiosk.ui.screens.summary import pages

        for page in range(len(pages(machine_summary))):
            linked_summary = make_view(Screen.SUMMARY, frame)
            linked_summary.summary = machine_summary
            linked_summary.screen_seconds = 6.0 * page + 1
            out[f"summary_machine{name}_page_{page}"] = linked_summary
    # the welcome after check-in: a member whose plan grew, and a guest
    from kiosk.config.schema import BackstepConfig
    from kiosk.session.plans import SessionPlan
    from kiosk.ui.welcome import welcome_view

    plan = SessionPlan.from_config(BackstepConfig())
    welcome = make_view(Screen.POSITION, frame)
    welcome.screen_seconds = 1.0
    previous = {"backward_minutes": plan.backward_s / 60 - 0.5, "upright_percent": 86.0}
    welcome.welcome = welcome_view("Ada Lovelace-Byron", plan, previous, guest=False)
    out["position_welcome"] = welcome
    guest = make_view(Screen.POSITION, frame)
    guest.screen_seconds = 1.0
    guest.welcome = welcome_view("Guest", plan, None, guest=True)
    out["position_welcome_guest"] = guest
    staff = make_view(Screen.STAFF, frame)
    staff.controller.staff = StaffState(pin=DigitEntry(4), unlocked=True)
    out["staff_menu"] = staff
    paired = make_view(Screen.STAFF, frame)
    paired.controller.staff = StaffState(
        pin=DigitEntry(4), unlocked=True, message="Heart-rate strap saved: Polar H10 7A1B"
    )
    out["staff_menu_paired"] = paired
    # pairing a treadmill or strap: the kinds, the scan under way, the devices found
    from kiosk.flow.pairing import FoundDevice, PairingState, ScanOutcome

    found = ScanOutcome(
        1,
        (
            FoundDevice("F1:00:00:00:00:07", "Woodway 4Front", -58),
            FoundDevice("C4:7E:2B:91:0A:33", "LIFE FITNESS TRACK CONNECT 2.0 CONSOLE", None),
        ),
    )
    for name, state in (
        ("kinds", PairingState()),
        ("scanning", PairingState(listing=True, scan_id=2, outcome=found)),
        ("list", PairingState(listing=True, scan_id=1, outcome=found, device_index=1)),
        ("none", PairingState(listing=True, scan_id=1, outcome=ScanOutcome(1))),
    ):
        pairing = make_view(Screen.STAFF, frame)
        pairing.controller.staff = StaffState(pin=DigitEntry(4), unlocked=True, pairing=state)
        out[f"staff_pairing_{name}"] = pairing
    return out
