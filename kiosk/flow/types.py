"""The kiosk flow's vocabulary: screens, timings, vision snapshots, effects and the member."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Screen(StrEnum):
    """Every screen the kiosk can show."""

    IDLE = "idle"
    CHECKIN = "checkin"
    CHECKIN_REJECTED = "checkin_rejected"
    POSITION = "position"
    BASELINE = "baseline"
    SESSION = "session"
    PAUSE = "pause"
    SAFETY = "safety"
    CAMERA_LOST = "camera_lost"
    SUMMARY = "summary"
    STAFF = "staff"


#: Screens that need a live camera; losing it there shows CAMERA_LOST.
LIVE_SCREENS = frozenset(
    {Screen.POSITION, Screen.BASELINE, Screen.SESSION, Screen.PAUSE, Screen.SAFETY}
)

#: Screens from which a long press of select opens the staff PIN (never while coaching).
STAFF_ENTRY_SCREENS = frozenset(
    {Screen.IDLE, Screen.CHECKIN, Screen.SUMMARY, Screen.CAMERA_LOST, Screen.POSITION}
)


@dataclass(frozen=True, slots=True)
class FlowTimings:
    """How long screens wait before moving on by themselves (seconds)."""

    position_stable_s: float = 2.0
    #: the position screen opens with the welcome (the kiosk sets kiosk.ui.welcome.WELCOME_S):
    #: it does not move on by itself before this (START still does)
    welcome_s: float = 0.0
    position_timeout_s: float = 90.0
    checkin_timeout_s: float = 60.0
    rejected_s: float = 4.0
    baseline_timeout_s: float = 10.0
    #: None: the summary stays until a button press or the next member checks in (issue 22:
    #: a 30 s timeout took it away while the member was still on the belt reading it)
    summary_timeout_s: float | None = None
    pause_timeout_s: float = 300.0
    staff_timeout_s: float = 120.0
    #: a session on the camera-lost screen this long ends as interrupted (camera config)
    camera_lost_end_s: float = 120.0


@dataclass(frozen=True, slots=True)
class VisionSnapshot:
    """What the controller needs to know from the vision service at one instant."""

    camera: str = "ok"  # "starting" | "ok" | "lost" | "ended"
    person: bool = False
    whole_body: bool = False
    in_zone: bool = False
    side_view: bool = False  # the camera sees the member the way the config says
    baseline_progress: float = 0.0
    baseline_walking: bool = False  # the member walks: a walking baseline is being collected
    view: str | None = None  # the view the camera actually sees ("side", "front", None)
    #: where the feet are on the belt, 0 console end .. 1 rear end (None = unknown)
    drift: float | None = None
    #: the analyzer's posture state ("upright", "leaning_back", ...; None = not judged)
    posture: str | None = None

    @property
    def is_ready_to_start(self) -> bool:
        """True when the member stands in the zone with the whole body visible."""
        return self.person and self.in_zone and self.whole_body

    @property
    def is_camera_lost(self) -> bool:
        """True when frames stopped coming (a lost device or an ended file)."""
        return self.camera in ("lost", "ended")


@dataclass(slots=True)
class Member:
    """Who is training: ``member_id`` None means a guest."""

    member_id: str | None = None
    name: str = "Guest"
    method: str = "guest"
    has_baseline: bool = False  # a fresh stored standing baseline (capture skipped)

    @property
    def is_guest(self) -> bool:
        """True for a guest (no stored history)."""
        return self.member_id is None
