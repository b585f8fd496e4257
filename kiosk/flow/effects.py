"""What the app must do because of a transition: one small type per effect (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from kiosk.domain import CheckinMethod as CheckinMethod  # re-exported: the flow's users name it

BaselineSource = Literal["captured", "stored", "none"]
Tone = Literal["good", "caution", "alert"]


@dataclass(frozen=True, slots=True)
class CheckIn:
    """Look a member up by the code they showed or typed."""

    kind: ClassVar[str] = "check_in"
    code: str
    method: CheckinMethod = "card"


@dataclass(frozen=True, slots=True)
class StartBaseline:
    """Start capturing the member's standing baseline."""

    kind: ClassVar[str] = "start_baseline"


@dataclass(frozen=True, slots=True)
class BeginSession:
    """Begin the member's session with the baseline it will be judged against."""

    kind: ClassVar[str] = "begin_session"
    baseline: BaselineSource = "none"


@dataclass(frozen=True, slots=True)
class PauseSession:
    """Pause the session clock."""

    kind: ClassVar[str] = "pause_session"


@dataclass(frozen=True, slots=True)
class ResumeSession:
    """Resume the session clock."""

    kind: ClassVar[str] = "resume_session"


@dataclass(frozen=True, slots=True)
class EndSession:
    """End the session and build its summary (``status`` "interrupted": not the member's stop)."""

    kind: ClassVar[str] = "end_session"
    status: str | None = None


@dataclass(frozen=True, slots=True)
class AlertOn:
    """Sound the safety alert (buzzer, LED, tone)."""

    kind: ClassVar[str] = "alert_on"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AlertOff:
    """Silence the safety alert."""

    kind: ClassVar[str] = "alert_off"


@dataclass(frozen=True, slots=True)
class PlaySound:
    """Play one short tone."""

    kind: ClassVar[str] = "sound"
    tone: Tone = "good"


@dataclass(frozen=True, slots=True)
class ReloadConfig:
    """Re-read the staff configuration file."""

    kind: ClassVar[str] = "reload_config"


@dataclass(frozen=True, slots=True)
class SaveZone:
    """Move the treadmill zone by the staff's adjustment, or set it to ``edges`` (fractions).

    ``edges`` (x0, y0, x1, y1): the placement check's suggested zone, saved whole; without
    it the zone editor's ``delta`` moves the zone in force. ``console_side``: the console's
    image side the check read, saved as ``safety.console_side`` with the zone.
    """

    kind: ClassVar[str] = "save_zone"
    delta: dict[str, float] = field(default_factory=dict)
    edges: dict[str, float] | None = None
    console_side: str | None = None


@dataclass(frozen=True, slots=True)
class StartPlacementCheck:
    """Start (or restart) the placement check: watch the walker for 20 s, then judge."""

    kind: ClassVar[str] = "start_placement_check"


@dataclass(frozen=True, slots=True)
class StopPlacementCheck:
    """Staff left the placement check: drop what it collected (its verdicts stay saved)."""

    kind: ClassVar[str] = "stop_placement_check"


@dataclass(frozen=True, slots=True)
class QuitKiosk:
    """Staff chose "Quit kiosk" behind the PIN: end the loop (the only quit in kiosk mode)."""

    kind: ClassVar[str] = "quit_kiosk"


@dataclass(frozen=True, slots=True)
class ScanDevices:
    """Scan for treadmills (FTMS) or heart-rate straps (HRS) off the UI loop, for pairing."""

    kind: ClassVar[str] = "scan_devices"
    device_kind: str = "treadmill"
    #: the pairing step's scan number: the outcome carries it back (a late one is ignored)
    scan_id: int = 0


@dataclass(frozen=True, slots=True)
class PairDevice:
    """Write ``device`` and ``enabled = true`` into ``[treadmill]`` or ``[heart_rate]``."""

    kind: ClassVar[str] = "pair_device"
    device_kind: str = "treadmill"
    device: str = ""
    #: the name it advertised, for the staff screen's message
    name: str = ""


Effect = (
    CheckIn
    | StartBaseline
    | BeginSession
    | PauseSession
    | ResumeSession
    | EndSession
    | AlertOn
    | AlertOff
    | PlaySound
    | ReloadConfig
    | SaveZone
    | StartPlacementCheck
    | StopPlacementCheck
    | QuitKiosk
    | ScanDevices
    | PairDevice
)
