"""Every cue the kiosk can show: wording from the training advice, kind, icon and colour role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CueKind = Literal["safety", "posture", "core", "steps", "encouragement"]
CueIcon = Literal["octagon", "triangle", "tick", "info"]
CueTone = Literal["alert", "caution", "good"]
ColourRole = Literal["alert", "fault", "caution", "good", "info"]

#: Kinds from most to least urgent; a more urgent cue may replace a less urgent one.
PRIORITY: tuple[CueKind, ...] = ("safety", "posture", "core", "steps", "encouragement")


@dataclass(frozen=True, slots=True)
class Cue:
    """One message for the cue banner.

    ``key`` is a stable id (for sounds, logs and counters), ``text`` a short imperative,
    ``icon`` a shape so colour is never the only signal, ``tone`` the sound to play when
    it appears (None = silent) and ``colour_role`` the palette entry in `kiosk.ui.theme`.
    """

    key: str
    kind: CueKind
    text: str
    icon: CueIcon
    tone: CueTone | None
    colour_role: ColourRole

    @property
    def rank(self) -> int:
        """0 for safety … 4 for encouragement (lower is more urgent)."""
        return PRIORITY.index(self.kind)


def _safety(key: str, text: str) -> Cue:
    return Cue(key, "safety", text, "octagon", "alert", "alert")


def _fault(key: str, kind: CueKind, text: str) -> Cue:
    role: ColourRole = "fault" if kind == "posture" else "caution"
    return Cue(key, kind, text, "triangle", "caution", role)


def _good(key: str, text: str) -> Cue:
    return Cue(key, "encouragement", text, "tick", "good", "good")


#: Safety cues by the ``reason`` of a ``safety`` event.
SAFETY_CUES: dict[str, Cue] = {
    "fall": _safety("hold_rails", "Hold the rails — stop the belt"),
    "member_lost": _safety("member_lost", "Hold the rails — step back into view"),
    "drift_back": _safety("drift_back", "Hold the rails — step forward now"),
}
#: Used for a safety reason this table does not know.
GENERIC_SAFETY = _safety("safety", "Hold the rails — stop the belt")

#: Form cues by fault name (the analyzer's fault names plus the engine's own
#: "heel_first"). Order within a kind is priority order. Wording: backward-walking.md.
FAULT_CUES: dict[str, Cue] = {
    "leaning_forward": _fault("chest_up", "posture", "Chest up — stand tall"),
    "leaning_back": _fault(
        "lean_back", "posture", "Don't lean back — stack your shoulders over hips"
    ),
    "leaning_side": _fault("centre", "posture", "Stay centred — level your shoulders"),
    "head_forward": _fault("head_up", "posture", "Eyes forward — lift your head"),
    "core": _fault("brace_core", "core", "Brace your core"),
    "drift": _fault("step_forward", "steps", "Step forward — you are drifting back"),
    "heel_first": _fault("ball_of_foot", "steps", "Land on the ball of your foot"),
    "cadence": _fault("slow_steps", "steps", "Slow, controlled steps"),
}

#: Urgent versions of form cues, by fault name, for a ``fault`` event of severity "alert":
#: an alert tone, so a member bent far forward hears the difference.
ALERT_CUES: dict[str, Cue] = {
    "leaning_forward": Cue(
        "chest_up_alert",
        "posture",
        "Stand up tall — you are bending far forward",
        "triangle",
        "alert",
        "fault",
    ),
}


def fault_cue(fault: str, severity: str | None = None) -> Cue:
    """The cue for a fault; its urgent version when ``severity`` is "alert" and one exists."""
    if severity == "alert" and fault in ALERT_CUES:
        return ALERT_CUES[fault]
    return FAULT_CUES[fault]


#: Praise shown when a cued fault is corrected, by cue kind.
PRAISE: dict[CueKind, Cue] = {
    "posture": _good("praise_tall", "Nice and tall — keep it up"),
    "core": _good("praise_core", "That's it — core strong"),
    "steps": _good("praise_steps", "Good steps — keep that rhythm"),
}

#: Periodic encouragement when all is well, shown in turn.
ENCOURAGEMENT: tuple[Cue, ...] = (
    _good("keep_going", "Great posture — keep going"),
    _good("steady", "Smooth and steady — well done"),
    _good("tall", "Nice and tall — keep it up"),
    _good("strong", "Strong core, steady steps"),
)


def fault_rank(fault: str) -> tuple[int, int]:
    """Sort key: kind priority, then order in :data:`FAULT_CUES`."""
    cue = FAULT_CUES[fault]
    return cue.rank, list(FAULT_CUES).index(fault)
