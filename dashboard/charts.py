"""Chart data for the pages: columns uPlot draws, with titles and units (no drawing here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from dashboard.data import SessionFacts
from kiosk.store.records import EventRecord, Sample, StoredBaseline
from vision.metrics.settings import PostureConfig

# Okabe & Ito (2008) colour-blind-safe palette, as the kiosk uses.
BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)  # fmt: skip
#: event kind -> marker colour on session charts
EVENT_COLOURS = {"fault": ORANGE, "safety": VERMILLION, "cue": BLUE}


@dataclass(frozen=True, slots=True)
class Line:
    """One series: its label (with unit), colour and whether it is a dashed limit."""

    label: str
    colour: str
    dash: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: x values, one list of y values per line, axis labels with units."""

    id: str
    title: str
    x_label: str
    y_label: str
    time_axis: bool
    x: list[float]
    lines: list[Line]
    ys: list[list[float | None]]
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """What the page's script reads."""
        return asdict(self)


def _pct(v: float | None) -> float | None:
    return None if v is None else round(100.0 * v, 1)


def _minus(v: float | None, ref: float | None) -> float | None:
    return None if v is None else round(v - (ref or 0.0), 2)


def member_charts(facts: Sequence[SessionFacts], baseline: StoredBaseline | None) -> list[Chart]:
    """Trend charts across a member's sessions (x = session start, UNIX seconds)."""
    x = [f.started for f in facts]
    ref = baseline.data.get("trunk_lean_deg") if baseline else None
    ref = ref if isinstance(ref, int | float) else None
    lean_label = "Mean trunk lean − baseline (°)" if ref is not None else "Mean trunk lean (°)"
    lean_title = "Trunk lean vs baseline" if ref is not None else "Trunk lean (no baseline stored)"

    def one(cid: str, title: str, unit: str, colour: str, ys: list[float | None]) -> Chart:
        return Chart(cid, title, "Session date", unit, True, x, [Line(unit, colour)], [ys])

    return [
        one(
            "minutes", "Backward walking", "Backward (min)", BLUE,
            [f.backward_minutes for f in facts],
        ),
        one(
            "upright", "Upright", "Upright (% of time)", GREEN,
            [_pct(f.upright_share) for f in facts],
        ),
        one(
            "lean", lean_title, lean_label, VERMILLION,
            [_minus(f.trunk_lean_deg, ref) for f in facts],
        ),
        one("core", "Core score", "Core score (0–100)", PURPLE, [f.core_score for f in facts]),
        one("cadence", "Cadence", "Cadence (steps/min)", ORANGE, [f.cadence_spm for f in facts]),
        one("incline", "Incline", "Incline (%)", SKY, [f.incline_percent for f in facts]),
    ]  # fmt: skip


def session_charts(
    samples: Sequence[Sample],
    events: Sequence[EventRecord],
    baseline: StoredBaseline | None,
    posture: PostureConfig,
) -> list[Chart]:
    """Per-second charts of one session (x = seconds since it started), events marked."""
    x = [s.t for s in samples]
    marks = [
        {
            "t": e.t,
            "kind": e.kind,
            "label": _event_label(e),
            "colour": EVENT_COLOURS.get(e.kind, BLACK),
        }
        for e in events
    ]
    data = baseline.data if baseline else {}
    sagittal = any(s.trunk_lean is not None for s in samples)
    if sagittal or not any(s.lateral_lean is not None for s in samples):
        ref, values = data.get("trunk_lean_deg"), [s.trunk_lean for s in samples]
        upper, lower = posture.forward_warn_deg, -posture.back_warn_deg
        title, what = "Trunk lean (side view)", "Trunk lean"
        limits = (f"Forward limit +{upper:g}°", f"Backward limit {lower:g}°")
    else:
        # a front view sees no forward lean but does see sideways lean (as the kiosk's gauge)
        ref, values = data.get("lateral_lean_deg"), [s.lateral_lean for s in samples]
        upper, lower = posture.lateral_warn_deg, -posture.lateral_warn_deg
        title, what = "Sideways lean (front view)", "Sideways lean"
        limits = (f"Limit +{upper:g}°", f"Limit {lower:g}°")
    ref = ref if isinstance(ref, int | float) else None
    label = f"{what} − baseline (°)" if ref is not None else f"{what} (°)"
    if ref is None:
        title += ", no baseline stored"
    lean = Chart(
        "lean", title, "Time (s)", label, False, x,
        [Line(label, BLUE), Line(limits[0], BLACK, True), Line(limits[1], BLACK, True)],
        [[_minus(v, ref) for v in values], [upper] * len(x), [lower] * len(x)],
        marks,
    )  # fmt: skip
    core = Chart(
        "core", "Core score", "Time (s)", "Core score (0–100)", False, x,
        [Line("Core score (0–100)", PURPLE)], [[s.core_score for s in samples]], marks,
    )  # fmt: skip
    cadence = Chart(
        "cadence", "Cadence", "Time (s)", "Cadence (steps/min)", False, x,
        [Line("Cadence (steps/min)", ORANGE)], [[s.cadence for s in samples]], marks,
    )  # fmt: skip
    return [lean, core, cadence]


def _event_label(e: EventRecord) -> str:
    detail = e.data.get("fault") or e.data.get("kind") or e.data.get("cue") or ""
    return f"{e.kind}: {detail}" if detail else e.kind
