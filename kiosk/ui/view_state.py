"""What the screens draw: plain data assembled by the app each frame (no pygame, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kiosk.flow.machine import Screen
from kiosk.session.views import CueView, SessionView, SummaryView
from kiosk.ui.placement_view import PlacementView
from kiosk.ui.welcome import WelcomeView


@dataclass(frozen=True, slots=True)
class FleetLine:
    """The fleet's state for the staff screen (from the sync thread's in-memory status)."""

    reachable: bool | None  # None = not checked yet
    since_sync_s: float | None  # seconds since the last successful sync (None = never)
    waiting: int  # rows in the outbox
    down_since: float | None = None  # epoch seconds the server went away


@dataclass(slots=True)
class StaffView:
    """Facts for the staff screen."""

    camera: str = ""
    model: str = ""  # the model's state: loading, ready, error, stopped
    model_path: str = ""
    ui_fps: float = 0.0
    pose_fps: float = 0.0
    dropped_frames: int = 0
    config_path: str = "(built-in defaults)"
    errors: list[str] = field(default_factory=list)
    gpio_warning: str = ""
    restart_needed: list[str] = field(default_factory=list)
    cannot_coach: str = ""  # "cannot coach: <reason>" while the pose model fails
    thresholds: str = ""  # the analyzer's effective posture limits, e.g. "forward 12°"
    #: standing problems staff must fix (default PIN, not saving, demo clip)
    warnings: list[str] = field(default_factory=list)
    #: None when no [fleet] database is configured (the line is not drawn)
    fleet: FleetLine | None = None


@dataclass(slots=True)
class ViewState:
    """Everything a screen may draw for one frame."""

    screen: Screen
    now: float = 0.0
    station: str = "Backstep"
    member_name: str = "Guest"
    frame: np.ndarray | None = None
    frame_index: int = -1
    mirror: bool = True
    landmarks: np.ndarray | None = None  # 33 x 4 normalised (x, y, z, visibility)
    others: list[np.ndarray] = field(default_factory=list)
    posture: str | None = None
    zone: tuple[float, float, float, float] = (0.15, 0.0, 0.85, 1.0)
    camera_state: str = "starting"
    camera_message: str = ""
    #: seconds the camera has been away (after ~30 s members are told to ask staff)
    camera_down_s: float = 0.0
    #: the member is stepping (a cadence is measured): no "Hold still" while they walk
    walking: bool = False
    whole_body: bool = False
    in_zone: bool = False
    side_view: bool = False  # the camera sees the member the way the config says
    detected_view: str | None = None  # "side" | "front" | None (not seen yet)
    expected_view: str = "auto"  # camera.view: "side" | "front" | "auto"
    person: bool = False
    ready_fraction: float = 0.0
    baseline_progress: float = 0.0
    baseline_walking: bool = False
    baseline_seconds: float = 3.0
    screen_seconds: float = 0.0
    session: SessionView | None = None
    cue: CueView | None = None
    summary: SummaryView | None = None
    staff: StaffView = field(default_factory=StaffView)
    controller: Any = None  # the KioskController, for sub-states (PIN, menu, check-in digits)
    safety_reason: str = ""
    checkin_methods: tuple[str, ...] = ("card", "qr", "buttons", "guest")
    tip_index: int = 0
    error: str = ""
    #: the welcome after check-in (name, today's plan, what changed): position screen
    welcome: WelcomeView | None = None
    #: the staff screen's placement check while it is open
    placement: PlacementView | None = None
