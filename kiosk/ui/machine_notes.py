"""The treadmill's and the strap's readouts as a member reads them in the top strip."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.session.views import MachineView
from kiosk.ui import theme as th

#: Heart-rate zones 1-5 (percent of the age-predicted maximum): the word, and the role whose
#: colour and icon shape carry it (never colour alone: the word is always beside the icon).
ZONE_WORDS = {1: "very light", 2: "light", 3: "moderate", 4: "hard", 5: "maximum"}
ZONE_ROLES = {1: "info", 2: "good", 3: "good", 4: "caution", 5: "fault"}

_M_PER_MILE = 1609.344
_IN_PER_M = 39.3701


@dataclass(frozen=True, slots=True)
class StripNote:
    """One number for the top strip: its wordings, longest first, its colour and its icon."""

    choices: tuple[str, ...]
    colour: th.Colour = th.TEXT
    #: the icon drawn before it (a heart-rate zone's shape), None for no icon
    role: str | None = None


def fmt_speed(speed: float, units: str) -> str:
    """ "2.1 mph" / "3.4 km/h"."""
    return f"{speed:.1f} {units}"


def fmt_distance(metres: float, units: str) -> str:
    """Distance in the staff file's units: "0.26 mi" (mph), "412 m" / "1.24 km" (km/h)."""
    if units == "mph":
        return f"{metres / _M_PER_MILE:.2f} mi"
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.2f} km"


def fmt_stride(metres: float, units: str) -> str:
    """Stride length: "20 in" (mph), "0.52 m" (km/h)."""
    return f"{metres * _IN_PER_M:.0f} in" if units == "mph" else f"{metres:.2f} m"


def zone_role(zone: int | None) -> str | None:
    """The role (colour and icon) of a heart-rate zone; None without a zone."""
    return None if zone is None else ZONE_ROLES.get(zone)


def machine_notes(m: MachineView | None) -> list[StripNote]:
    """The belt and heart numbers for the top strip, in the order they take turns.

    The live ones (belt speed, heart rate) come round more often than the session's totals
    (distance, stride): speed, heart, distance, speed, heart, stride. A link gone quiet
    says "no signal" in muted type instead of its last number: a stale speed or heart rate
    is never drawn as if it were live.
    """
    if m is None:
        return []
    live: list[StripNote] = []
    totals: list[StripNote] = []
    if m.treadmill_stale:
        live.append(StripNote(("Belt: no signal", "Belt –"), th.MUTED))
    else:
        if m.speed is not None:
            speed = fmt_speed(m.speed, m.units)
            live.append(StripNote((f"Belt {speed}", speed)))
        if m.backward_distance_m is not None:
            dist = fmt_distance(m.backward_distance_m, m.units)
            totals.append(StripNote((f"{dist} backward", f"{dist} back", dist)))
        if m.stride_m is not None:
            stride = fmt_stride(m.stride_m, m.units)
            totals.append(StripNote((f"Stride {stride}", stride)))
    if m.heart_rate_stale:
        live.append(StripNote(("Heart rate: no signal", "Heart: no signal", "– bpm"), th.MUTED))
    elif m.heart_rate_bpm is not None:
        bpm = f"{m.heart_rate_bpm} bpm"
        role = zone_role(m.heart_zone)
        if role is None:
            live.append(StripNote((bpm,)))
        else:
            zone = m.heart_zone
            words = (f"{bpm} · zone {zone} {ZONE_WORDS[zone or 0]}", f"{bpm} · zone {zone}")
            live.append(StripNote((*words, f"{bpm} Z{zone}"), th.TEXT, role))
    if not totals:
        return live
    return [note for total in totals for note in (*live, total)]
