"""What a session shows: the cue, the live numbers and the end-of-session report, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CueView:
    """The cue in the banner: ``role`` picks colour and icon (good, caution, fault, info).

    ``level`` says how firmly it speaks (`kiosk.session.cue_catalog.CueLevel`): an
    "escalated" or "urgent" cue must look different from a first one.
    """

    text: str
    role: str = "info"
    icon: str | None = None
    level: str = "cue"


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
    #: a positive lean tilts the needle to the right on screen (as the body in the mirror)
    lean_points_right: bool = True
    #: said on screen when posture is judged on the absolute safety limits alone
    baseline_note: str = ""
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
    #: the countdown before a block change (None when none runs)
    transition: TransitionView | None = None
    #: what the treadmill and the strap say (None when neither link is configured)
    machine: MachineView | None = None


@dataclass(frozen=True, slots=True)
class MachineView:
    """The belt and the heart as the member sees them, already in the staff file's units.

    A value is None when its link is not configured, not connected, or the device does not
    publish it; ``*_stale`` says a configured link has gone quiet (drawn dimmed, not hidden).
    """

    units: str = "mph"  # "mph" or "km/h"
    speed: float | None = None  # belt speed in ``units``
    #: distance walked backwards this session, metres (from the treadmill's odometer)
    backward_distance_m: float | None = None
    #: stride length = belt speed / cadence, metres
    stride_m: float | None = None
    incline_pct: float | None = None
    treadmill_stale: bool = False
    heart_rate_bpm: int | None = None
    #: 1-5 from the member's age (None when the age is unknown: the number alone is shown)
    heart_zone: int | None = None
    #: also when the source is live but gives no number a person has (a strap off the skin,
    #: a console's "0", 255 bpm)
    heart_rate_stale: bool = False


@dataclass(frozen=True, slots=True)
class Compare:
    """One summary row: this time, last time (None = no last session), and a personal best."""

    label: str
    now: str
    last: str | None = None
    #: +1 better than last time, -1 worse, 0 the same, None no comparison ("better" in the
    #: metric's own direction: fewer safety stops, a cadence inside its range)
    trend: int | None = None
    best: bool = False
    #: the member's best before today (None: no best kept for this metric, or no history)
    best_value: str | None = None
    #: a few words more ("out of view" for the safety stops)
    note: str = ""


@dataclass(slots=True)
class SummaryView:
    """The end-of-session report (built by `kiosk.session.report.summary_view`)."""

    pct_upright: float | None = None
    lean_label: str = "Trunk lean"
    #: a positive lean tilts the needle to the right on screen (as the body in the mirror)
    lean_points_right: bool = True
    #: said on screen when posture is judged on the absolute safety limits alone
    baseline_note: str = ""
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
    #: the one-time link the summary's QR code carries ("" when none is offered)
    takeaway_url: str = ""
    #: per-second belt speed (staff units) and heart rate, aligned with ``times``; empty
    #: when no treadmill / strap was linked
    speed_by_second: list[float | None] = field(default_factory=list)
    heart_rate_by_second: list[int | None] = field(default_factory=list)
    speed_units: str = "mph"


@dataclass(slots=True)
class TransitionView:
    """The countdown before a block change: seconds left, where to, what to do in order."""

    seconds_left: int = 5
    title: str = ""
    steps: list[str] = field(default_factory=list)
    #: the next block's instruction ("Walk BACKWARD · 1 mph")
    instruction: str = ""
