"""What a session shows: the cue, the live numbers and the end-of-session report, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    #: a positive lean tilts the needle to the right on screen (as the body in the mirror)
    lean_points_right: bool = True
    #: said on screen when posture is judged on the absolute safety limits alone
    baseline_note: str = ""
    core_score: float | None = None
    cadence_spm: float | None = None
    posture: str | None = None


@dataclass(slots=True)
class SummaryView:
    """The end-of-session report."""

    pct_upright: float | None = None
    longest_streak_s: float = 0.0
    cadence_avg: float | None = None
    core_avg: float | None = None
    duration_s: float = 0.0
    lean_series: list[float] = field(default_factory=list)
    core_series: list[float] = field(default_factory=list)
    lean_warn_deg: float = 10.0
    lean_label: str = "Trunk lean"
    #: a positive lean tilts the needle to the right on screen (as the body in the mirror)
    lean_points_right: bool = True
    #: said on screen when posture is judged on the absolute safety limits alone
    baseline_note: str = ""
    backward_minutes: float | None = None
    last: dict[str, float | None] | None = None
    suggestion: str = ""
