"""What the screens draw: plain data assembled by the app each frame (no pygame, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kiosk.flow.machine import Screen


@dataclass(slots=True)
class CueView:
    """The cue in the banner: ``role`` picks colour and icon (good, caution, fault, info)."""

    text: str
    role: str = "info"
    icon: str | None = None


@dataclass(slots=True)
class SessionView:
    """Numbers shown during a session (the app refreshes them at most ~4x/s)."""

    block_name: str = "Backward"
    block_index: int = 0
    block_count: int = 1
    block_kind: str = "backward"
    elapsed_s: float = 0.0
    remaining_s: float = 0.0
    total_remaining_s: float = 0.0
    speed_mph: float | None = None
    incline_percent: float | None = None
    pct_upright: float | None = None
    streak_s: float = 0.0
    lean_deg: float | None = None
    lean_warn_deg: float = 10.0
    lean_back_warn_deg: float = 8.0
    #: "Trunk lean" (sagittal, side view) or "Side lean" (lateral, front view)
    lean_label: str = "Trunk lean"
    core_score: float | None = None
    cadence_spm: float | None = None
    posture: str | None = None
    #: what to do now, direction first ("Walk BACKWARD · 1 mph")
    instruction: str = ""
    #: what comes next ("FORWARD 3 mph", "Finish"); the change is ``remaining_s`` away
    next_instruction: str = ""
    #: the plan's shape: (seconds, backward?) per block, and the session time so far
    blocks: list[tuple[float, bool]] = field(default_factory=list)
    session_elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Compare:
    """One summary row: this time, last time (None = no last session), and a personal best."""

    label: str
    now: str
    last: str | None = None
    #: +1 better than last time, -1 worse, 0 the same, None no comparison
    trend: int | None = None
    best: bool = False


@dataclass(slots=True)
class SummaryView:
    """The end-of-session report (built by `kiosk.session.report.summary_view`)."""

    pct_upright: float | None = None
    lean_label: str = "Trunk lean"
    backward_minutes: float | None = None
    suggestion: str = ""
    #: seconds of each chart point (the same per-second samples as % upright)
    times: list[float] = field(default_factory=list)
    #: lean relative to the member's baseline, and whether each second was not upright
    lean_rel: list[float | None] = field(default_factory=list)
    not_upright: list[bool] = field(default_factory=list)
    core_by_second: list[float | None] = field(default_factory=list)
    lean_band: tuple[float, float] = (-8.0, 10.0)
    total_minutes: float = 0.0
    rows: list[Compare] = field(default_factory=list)
    title: str = "Session done"


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
    whole_body: bool = False
    in_zone: bool = False
    side_view: bool = False  # the camera sees the member the way the config says
    detected_view: str | None = None  # "side" | "front" | None (not seen yet)
    expected_view: str = "auto"  # camera.view: "side" | "front" | "auto"
    person: bool = False
    ready_fraction: float = 0.0
    baseline_progress: float = 0.0
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
