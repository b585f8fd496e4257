"""The treadmill's and the strap's per-second values on the session page: charts, facts, CSV.

They live in nullable ``samples`` columns (``speed_kmh, incline_pct, distance_m, stride_m,
heart_rate_bpm``) that older databases do not have: the readers select only the columns that
exist, so a station or fleet database from before them shows the page as it always did.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dashboard.charts import BLUE, VERMILLION, Chart, Line
from kiosk.store.records import Sample

#: The per-second columns a treadmill and a strap fill (stored in km/h and metres).
MACHINE_COLUMNS = ("speed_kmh", "incline_pct", "distance_m", "stride_m", "heart_rate_bpm")
_KMH_PER_MPH = 1.609344
_M_PER_MILE = 1609.344


@dataclass(frozen=True, slots=True)
class MachineFacts:
    """What the session page says about the belt and the heart (None: nothing recorded)."""

    units: str
    average_speed: float | None = None
    #: metres: the summary's backward distance when the kiosk stored one, else the odometer's
    distance_m: float | None = None
    distance_backward: bool = False
    average_stride_m: float | None = None
    average_heart_rate: float | None = None
    peak_heart_rate: int | None = None

    @property
    def present(self) -> bool:
        """True when the session has any treadmill or heart-rate value."""
        return any(
            v is not None
            for v in (
                self.average_speed,
                self.distance_m,
                self.average_stride_m,
                self.average_heart_rate,
            )
        )

    @property
    def distance(self) -> str | None:
        """The distance in the staff file's units ("0.26 mi", "412 m")."""
        if self.distance_m is None:
            return None
        if self.units == "mph":
            return f"{self.distance_m / _M_PER_MILE:.2f} mi"
        m = self.distance_m
        return f"{m:.0f} m" if m < 1000 else f"{m / 1000:.2f} km"

    @property
    def stride(self) -> str | None:
        """The average stride in the staff file's units ("20 in", "0.52 m")."""
        if self.average_stride_m is None:
            return None
        if self.units == "mph":
            return f"{self.average_stride_m * 39.3701:.0f} in"
        return f"{self.average_stride_m:.2f} m"


def samples_select(have: Collection[str]) -> tuple[str, list[str]]:
    """The SELECT of the sample columns, with the machine columns the table ``have`` (an
    older database lacks them), and those columns; names from `MACHINE_COLUMNS` only, never
    from a request."""
    machine = [col for col in MACHINE_COLUMNS if col in have]
    columns = ", ".join(["t, trunk_lean, lateral_lean, core_score, cadence, posture", *machine])
    return f"SELECT {columns} FROM samples", machine


def samples_of(rows: Iterable[Sequence[Any]], machine: Sequence[str]) -> list[Sample]:
    """Rows of `samples_select` as samples."""
    return [with_machine(Sample(*r[:6]), machine, r[6:]) for r in rows]


def with_machine(base: Sample, columns: Sequence[str], values: Sequence[Any]) -> Sample:
    """``base`` with the values of ``columns`` (a subset of `MACHINE_COLUMNS`), numbers only:
    a text planted in a column is None."""
    got = dict(zip(columns, values, strict=True))
    hr = _num(got.get("heart_rate_bpm"))
    return replace(
        base,
        speed_kmh=_num(got.get("speed_kmh")),
        incline_pct=_num(got.get("incline_pct")),
        distance_m=_num(got.get("distance_m")),
        stride_m=_num(got.get("stride_m")),
        heart_rate_bpm=None if hr is None else round(hr),
    )


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def speed_in(kmh: float, units: str) -> float:
    """A speed stored in km/h, in the staff file's units."""
    return kmh / _KMH_PER_MPH if units == "mph" else kmh


def machine_facts(samples: Sequence[Sample], summary: dict[str, Any], units: str) -> MachineFacts:
    """Average speed, distance, average stride, average and peak heart rate."""
    speeds = [s.speed_kmh for s in samples if s.speed_kmh is not None]
    strides = [s.stride_m for s in samples if s.stride_m is not None]
    beats = [s.heart_rate_bpm for s in samples if s.heart_rate_bpm is not None]
    backward = _num(summary.get("backward_distance_m"))
    distance, is_backward = backward, backward is not None
    if distance is None:
        odometer = [s.distance_m for s in samples if s.distance_m is not None]
        # the console's odometer counts the whole session, forward blocks too
        distance = max(odometer) - min(odometer) if len(odometer) >= 2 else None
    return MachineFacts(
        units,
        round(speed_in(sum(speeds) / len(speeds), units), 2) if speeds else None,
        distance,
        is_backward,
        sum(strides) / len(strides) if strides else None,
        round(sum(beats) / len(beats)) if beats else None,
        max(beats) if beats else None,
    )


def machine_charts(
    samples: Sequence[Sample], units: str, marks: list[dict[str, Any]]
) -> list[Chart]:
    """A belt speed chart and a heart-rate chart, each only when the session has its values."""
    x = [s.t for s in samples]
    out = []
    if any(s.speed_kmh is not None for s in samples):
        label = f"Belt speed ({units})"
        ys = [
            None if s.speed_kmh is None else round(speed_in(s.speed_kmh, units), 2) for s in samples
        ]
        out.append(
            Chart(
                "speed", "Belt speed", "Time (s)", label, False, x, [Line(label, BLUE)], [ys], marks
            )
        )
    if any(s.heart_rate_bpm is not None for s in samples):
        label = "Heart rate (bpm)"
        ys2: list[float | None] = [
            None if s.heart_rate_bpm is None else float(s.heart_rate_bpm) for s in samples
        ]
        out.append(
            Chart(
                "heart",
                "Heart rate",
                "Time (s)",
                label,
                False,
                x,
                [Line(label, VERMILLION)],
                [ys2],
                marks,
            )
        )
    return out
