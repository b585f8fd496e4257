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
    # A backward walker faces the belt's far end and is carried toward it: safety is
    # stepping back toward the console behind them (or slowing the belt), never "forward".
    "drift_back": _safety("drift_back", "Hold the rails — slow the belt, step back"),
}
#: Used for a safety reason this table does not know.
GENERIC_SAFETY = _safety("safety", "Hold the rails — stop the belt")

#: Form cues by fault name (the analyzer's fault names plus the engine's own
#: "heel_first"). Order within a kind is priority order. Wording: backward-walking.md.
#: Directions are in the member's own frame: they face the rear of the treadmill, the belt
#: carries them toward their face, the console is behind them where they cannot see it.
FAULT_CUES: dict[str, Cue] = {
    "leaning_forward": _fault("chest_up", "posture", "Chest up — stand tall"),
    "leaning_back": _fault(
        "lean_back", "posture", "Don't lean back — stack your shoulders over hips"
    ),
    "leaning_side": _fault("centre", "posture", "Stay centred — level your shoulders"),
    "head_forward": _fault("head_up", "posture", "Eyes forward — lift your head"),
    "core": _fault("brace_core", "core", "Brace your core"),
    "console": _fault("slow_down", "steps", "Slow down — the console is right behind you"),
    "drift": _fault("step_back", "steps", "Longer steps back toward the console"),
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


def _again(key: str, kind: CueKind, text: str) -> Cue:
    return Cue(key, kind, text, "triangle", "caution", "fault")


#: Escalated cues, by fault name: shown when a fault has lasted ``cues.escalate_after_s``
#: despite its cue and reminders. Firmer wording, the fault colour.
ESCALATED_CUES: dict[str, Cue] = {
    "leaning_forward": _again(
        "chest_up_again", "posture", "Still bending forward — lift your chest"
    ),
    "leaning_back": _again(
        "lean_back_again", "posture", "Still leaning back — shoulders over your hips"
    ),
    "leaning_side": _again("centre_again", "posture", "Still off-centre — level your shoulders"),
    "head_forward": _again("head_up_again", "posture", "Still looking down — chin level"),
    "core": _again("brace_core_again", "core", "Tighten your core — stand tall"),
    "console": _again(
        "slow_down_again", "steps", "Hold the rails — slow the belt, the console is behind you"
    ),
    "drift": _again("step_back_again", "steps", "Hold the rails — take longer steps back"),
    "heel_first": _again("ball_of_foot_again", "steps", "Toes first — then roll to the heel"),
    "cadence": _again("slow_steps_again", "steps", "Shorter, slower steps"),
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
