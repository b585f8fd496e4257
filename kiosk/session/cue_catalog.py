"""Every cue the kiosk can show: words per walking direction, kind, level, icon, colour role."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

CueKind = Literal["safety", "pace", "posture", "core", "steps", "encouragement"]
CueIcon = Literal["octagon", "triangle", "tick", "info"]
#: Sounds (kiosk.ui.sound.TONES): each level has its own, so a member hears which it is.
CueTone = Literal["alert", "caution", "escalate", "transition", "good"]
ColourRole = Literal["alert", "fault", "caution", "good", "info"]
#: How firmly a cue speaks: "cue" a first fault cue, "escalated" the firmer one after it
#: lasted, "urgent" past a safety-net limit, "safety" the activity stops, "praise" a held
#: correction or encouragement, "note" something to do that is not a fault, "transition"
#: the countdown before a block change.
CueLevel = Literal["cue", "escalated", "urgent", "safety", "praise", "note", "transition"]
#: Which way a block is walked, lower case ("backward" faces the rear end, "forward" the console).
Direction = Literal["backward", "forward"]

#: Kinds from most to least urgent; a more urgent cue may replace a less urgent one.
#: "pace" is the belt and the heart (kiosk.session.machine): a heart past its top zone or a
#: belt off the block's speed comes before form.
PRIORITY: tuple[CueKind, ...] = ("safety", "pace", "posture", "core", "steps", "encouragement")


@dataclass(frozen=True, slots=True)
class Cue:
    """One message for the cue banner.

    ``key`` is a stable id (for sounds, logs, counters and the session record), ``text`` a short
    imperative, ``icon`` a shape so colour is never the only signal, ``tone`` the sound to play
    when it appears (None = silent), ``colour_role`` the palette entry in `kiosk.ui.theme` and
    ``level`` how firmly it speaks (:data:`CueLevel`).
    """

    key: str
    kind: CueKind
    text: str
    icon: CueIcon
    tone: CueTone | None
    colour_role: ColourRole
    level: CueLevel = "cue"
    #: the words the voice says when the banner's carry numbers ("Belt at 2.6 mph …"): the
    #: catalog's own phrase, rendered once into the phrase cache; "" = the banner's words
    spoken: str = ""

    @property
    def rank(self) -> int:
        """0 for safety … 4 for encouragement (lower is more urgent)."""
        return PRIORITY.index(self.kind)


def _safety(key: str, text: str) -> Cue:
    return Cue(key, "safety", text, "octagon", "alert", "alert", "safety")


def _fault(key: str, kind: CueKind, text: str) -> Cue:
    # a first cue is amber with a triangle; its escalation is vermillion with an octagon
    return Cue(key, kind, text, "triangle", "caution", "caution", "cue")


def _again(key: str, kind: CueKind, text: str) -> Cue:
    return Cue(key, kind, text, "octagon", "escalate", "fault", "escalated")


def _urgent(key: str, text: str) -> Cue:
    return Cue(key, "posture", text, "octagon", "alert", "alert", "urgent")


def _good(key: str, text: str) -> Cue:
    return Cue(key, "encouragement", text, "tick", "good", "good", "praise")


#: Safety cues by the ``reason`` of a ``safety`` event, in a backward block. The member
#: faces the rear end and the belt carries them toward it: far past that end they slow the
#: belt and step back toward the console behind them.
SAFETY_CUES: dict[str, Cue] = {
    "fall": _safety("hold_rails", "Hold the rails — stop the belt"),
    "member_lost": _safety("member_lost", "Hold the rails — come back to the middle of the belt"),
    "drift_back": _safety("drift_back", "Hold the rails — slow the belt, step back"),
}
#: In a forward block the rear end is behind the member: they step up toward the console.
FORWARD_SAFETY_CUES: dict[str, Cue] = {
    "drift_back": _safety(
        "drift_back_fwd", "Hold the rails — slow the belt, step up toward the console"
    ),
}
#: Used for a safety reason this table does not know.
GENERIC_SAFETY = _safety("safety", "Hold the rails — stop the belt")

#: Form cues by fault name in a backward block (the analyzer's fault names plus the engine's
#: own "heel_first"). Order within a kind is priority order. Wording: coaching.md. The member
#: faces the rear end, the belt carries them toward their face, the console is behind them:
#: near the rear end their steps are too short, near the console too long (never "slow the
#: belt" there: the belt carries them away from the console).
FAULT_CUES: dict[str, Cue] = {
    "leaning_forward": _fault("chest_up", "posture", "Chest up — stand tall"),
    "leaning_back": _fault(
        "lean_back", "posture", "Don't lean back — stack your shoulders over hips"
    ),
    "leaning_side": _fault("centre", "posture", "Stay centred — level your shoulders"),
    "head_forward": _fault("head_up", "posture", "Eyes forward — lift your head"),
    "core": _fault("brace_core", "core", "Brace your core"),
    "console": _fault("ease_off", "steps", "Shorter steps, ease off: the console is behind you"),
    "drift": _fault("step_back", "steps", "Longer steps back"),
    "heel_first": _fault("ball_of_foot", "steps", "Land on the ball of your foot"),
    "cadence": _fault("even_steps", "steps", "Even, controlled steps"),
    # the machine's (kiosk.session.machine): the engine shows them with the numbers of the
    # moment ("Belt at 2.6 mph — this block is 1.5: slow it down"); these are the fallbacks
    "heart_high": _fault("heart_ease_off", "pace", "Heart rate high — ease off: slow the belt"),
    "belt_fast": _fault("belt_slow_down", "pace", "Belt faster than this block: slow it down"),
    "belt_slow": _fault("belt_speed_up", "pace", "Belt slower than this block: speed it up"),
}

#: Form cues that read differently in a forward block (facing the console, the belt carrying
#: them toward the rear end behind them).
FORWARD_FAULT_CUES: dict[str, Cue] = {
    "console": _fault("drop_back", "steps", "Drop back a little"),
    "drift": _fault("step_up", "steps", "Step up toward the console"),
}

#: Faults that mean nothing in a forward block: a forward walker lands heel first.
BACKWARD_ONLY = frozenset({"heel_first"})

#: Firmer versions of ``leaning_forward`` for a ``fault`` event of severity "alert" (a
#: member bent far forward beyond their baseline).
ALERT_CUES: dict[str, Cue] = {
    "leaning_forward": _again(
        "chest_up_alert", "posture", "Stand up tall — you are bending far forward"
    ),
}

#: Urgent cues past the absolute safety-net limits (posture.absolute_*_limit_deg): own colour
#: (alert), shape (octagon) and tone (alert), whatever the baseline says.
URGENT_CUES: dict[str, Cue] = {
    "leaning_forward": _urgent(
        "lean_forward_urgent", "Hold the rails — stand up, you are bent far forward"
    ),
    "leaning_back": _urgent("lean_back_urgent", "Hold the rails — you are leaning far back"),
}

#: Escalated cues, by fault name: shown when a fault has lasted ``cues.escalate_after_s``
#: despite its cue and reminders. Firmer wording, another colour, shape and tone.
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
        "ease_off_again", "steps", "Hold the rails — shorter steps: the console is behind you"
    ),
    "drift": _again("step_back_again", "steps", "Hold the rails — take longer steps back"),
    "heel_first": _again("ball_of_foot_again", "steps", "Toes first — then roll to the heel"),
    "cadence": _again("even_steps_again", "steps", "Find a steady rhythm"),
}
FORWARD_ESCALATED_CUES: dict[str, Cue] = {
    "console": _again("drop_back_again", "steps", "Still close to the console — drop back"),
    "drift": _again("step_up_again", "steps", "Hold the rails — step up toward the console"),
}

#: Told once when the member walks the other way than the block asks.
WRONG_WAY: dict[Direction, Cue] = {
    "backward": Cue(
        "turn_backward",
        "posture",
        "Turn around: this block is walked backward, facing the back",
        "info",
        "caution",
        "info",
        "note",
    ),
    "forward": Cue(
        "turn_forward",
        "posture",
        "Turn around: this block is walked forward, facing the console",
        "info",
        "caution",
        "info",
        "note",
    ),
}

#: Told when the baseline was taken outside the neutral band (coached against its edge).
TALLEST_POSTURE = Cue(
    "tallest_posture",
    "posture",
    "Let's find your tallest posture",
    "info",
    "caution",
    "info",
    "note",
)


def fault_cue(fault: str, severity: str | None = None, direction: Direction = "backward") -> Cue:
    """The cue for a fault in a block walked ``direction``.

    ``severity`` "urgent" (past a safety-net limit) or "alert" (far beyond the baseline) picks
    the firmer version where one exists.
    """
    if severity == "urgent" and fault in URGENT_CUES:
        return URGENT_CUES[fault]
    if severity == "alert" and fault in ALERT_CUES:
        return ALERT_CUES[fault]
    if direction == "forward" and fault in FORWARD_FAULT_CUES:
        return FORWARD_FAULT_CUES[fault]
    return FAULT_CUES[fault]


def escalated_cue(fault: str, direction: Direction = "backward") -> Cue | None:
    """The firmer cue for a fault that has lasted, in a block walked ``direction``."""
    if direction == "forward" and fault in FORWARD_ESCALATED_CUES:
        return FORWARD_ESCALATED_CUES[fault]
    return ESCALATED_CUES.get(fault)


def safety_cue(reason: str, direction: Direction = "backward") -> Cue:
    """The safety cue for a ``safety`` event's reason in a block walked ``direction``."""
    if direction == "forward" and reason in FORWARD_SAFETY_CUES:
        return FORWARD_SAFETY_CUES[reason]
    return SAFETY_CUES.get(reason, GENERIC_SAFETY)


#: Praise shown when a cued fault is corrected, by cue kind.
PRAISE: dict[CueKind, Cue] = {
    "posture": _good("praise_tall", "Nice and tall — keep it up"),
    "core": _good("praise_core", "That's it — core strong"),
    "steps": _good("praise_steps", "Good steps — keep that rhythm"),
    "pace": _good("praise_pace", "That's the pace — keep it there"),
}

#: Praise for steps corrected in a backward block: the words of that block.
BACKWARD_PRAISE: dict[CueKind, Cue] = {
    "steps": _good("praise_steps_back", "Good steps back — keep that rhythm"),
}


def praise_cue(kind: CueKind, direction: Direction = "backward") -> Cue:
    """The praise for a corrected fault of ``kind`` in a block walked ``direction``."""
    if direction == "backward" and kind in BACKWARD_PRAISE:
        return BACKWARD_PRAISE[kind]
    return PRAISE[kind]


#: Periodic encouragement when all is well, shown in turn.
ENCOURAGEMENT: tuple[Cue, ...] = (
    _good("keep_going", "Great posture — keep going"),
    _good("steady", "Smooth and steady — well done"),
    _good("tall", "Nice and tall — keep it up"),
    _good("strong", "Strong core, steady steps"),
)


def transition_cue(text: str) -> Cue:
    """The banner cue of a block-change countdown (``text`` says what to do)."""
    return Cue("transition", "safety", text, "info", "transition", "info", "transition")


def with_text(cue: Cue, text: str) -> Cue:
    """The same cue with other words on the banner (keeps key, level, look and sound); the
    voice keeps saying the catalog's phrase, which the phrase cache holds."""
    return replace(cue, text=text, spoken=cue.spoken or cue.text)


def fault_rank(fault: str) -> tuple[int, int]:
    """Sort key: kind priority, then order in :data:`FAULT_CUES`."""
    cue = FAULT_CUES[fault]
    return cue.rank, list(FAULT_CUES).index(fault)
