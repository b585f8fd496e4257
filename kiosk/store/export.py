"""Session history for trainers: a flat CSV (one row per session) or JSON; samples on request."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from kiosk.domain import FINISHED_STATUSES
from kiosk.store.database import Member, Sample, SessionRecord, Store, StoredBaseline

logger = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]

#: The sessions CSV: one row per session, flat columns, the unit in each name (a spreadsheet
#: shows the header, not a data dictionary). ``outcome`` is how the session ended:
#: completed (the plan ran out), stopped (by the member or staff) or interrupted (power cut,
#: crash). ``mean_lean_vs_baseline_deg`` is the mean trunk lean minus the member's stored
#: standing baseline (+ = toward the face); blank without a baseline.
SESSION_COLUMNS = (
    "session_id", "member_id", "member_name", "date", "started_utc", "ended_utc",
    "duration_min", "backward_min", "planned_backward_min", "upright_pct",
    "mean_trunk_lean_deg", "mean_lean_vs_baseline_deg", "max_trunk_lean_deg", "core_score",
    "cadence_spm", "steps", "toe_first_pct", "incline_pct", "intervals", "fault_count",
    "program", "station_id", "outcome",
    # the belt and the heart (issue 27; blank without a treadmill / strap)
    "avg_speed_kmh", "backward_distance_m", "avg_stride_m", "avg_heart_rate_bpm",
    "peak_heart_rate_bpm",
)  # fmt: skip
#: ``distance_m`` is the distance walked backwards so far in the session (a running total).
SAMPLE_COLUMNS = (
    "session_id", "t_s", "trunk_lean_deg", "lateral_lean_deg", "core_score", "cadence_spm",
    "posture", "speed_kmh", "incline_pct", "distance_m", "stride_m", "heart_rate_bpm",
)  # fmt: skip


#: First characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: formula-like text gets a leading ``'``.

    Only text is touched: numbers (a negative lean is ``-2.5``, a float) stay numbers. A
    member named ``=HYPERLINK(...)`` would otherwise run as a formula when a trainer opens
    the export. The one function both CSV writers (``backstep export``, the dashboard) use.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def iso_time(t: float | None) -> str | None:
    """UNIX seconds as ISO 8601 UTC with milliseconds (what spreadsheets and pandas read)."""
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


def since_timestamp(day: dt.date) -> float:
    """Local midnight at the start of ``day`` as UNIX seconds (the gym's own calendar)."""
    return dt.datetime.combine(day, dt.time()).timestamp()


def select_sessions(
    store: Store, member_id: str | None = None, since: dt.date | None = None
) -> list[SessionRecord]:
    """Finished and interrupted sessions to export, oldest first (live ones are left out)."""
    return store.list_sessions(
        member_id,
        since=since_timestamp(since) if since else None,
        statuses=FINISHED_STATUSES,
    )


@dataclass
class MemberFacts:
    """What a session row needs about its member, looked up once per member."""

    name: str | None
    baseline_lean_deg: float | None


class MemberLookup:
    """Member names and stored baseline leans, cached (an export reads each member once).

    Takes the two look-ups rather than a `Store`, so the trainers' dashboard, which reads
    the database through its own read-only interface, writes the same rows.
    """

    def __init__(
        self,
        member: Callable[[str], Member | None],
        baseline: Callable[[str], StoredBaseline | None],
    ) -> None:
        self._member = member
        self._baseline = baseline
        self._facts: dict[str, MemberFacts] = {}

    @classmethod
    def of_store(cls, store: Store) -> MemberLookup:
        """The look-ups of the station database."""
        return cls(store.get_member, store.load_baseline)

    def __call__(self, member_id: str | None) -> MemberFacts:
        if member_id is None:
            return MemberFacts(None, None)
        if member_id not in self._facts:
            member = self._member(member_id)
            stored = self._baseline(member_id)
            lean = _number(stored.data.get("trunk_lean_deg")) if stored else None
            self._facts[member_id] = MemberFacts(member.name if member else None, lean)
        return self._facts[member_id]


def session_row(s: SessionRecord) -> dict[str, Any]:
    """One session for JSON: ids, times, status and its summary without per-second samples."""
    summary = dict(s.summary) if s.summary is not None else None
    if summary is not None:
        summary.pop("samples", None)  # the samples are their own table (--samples)
    return {
        "session_id": s.id,
        "member_id": s.member_id,
        "program": s.program,
        "station_id": s.station_id,
        "started": iso_time(s.started),
        "ended": iso_time(s.ended),
        "status": s.status,
        "summary": summary,
    }


def flat_row(s: SessionRecord, member: MemberFacts) -> dict[str, Any]:
    """One session as the sessions CSV row (see `SESSION_COLUMNS`); unknown values are blank."""
    summary = s.summary or {}

    def num(key: str, digits: int = 1) -> float | None:
        value = _number(summary.get(key))
        return None if value is None else round(value, digits)

    lean = num("average_trunk_lean_deg")
    vs_baseline = (
        None
        if lean is None or member.baseline_lean_deg is None
        else round(lean - member.baseline_lean_deg, 1)
    )
    duration = None if s.ended is None else round((s.ended - s.started) / 60.0, 2)
    intervals = summary.get("intervals")
    return {
        "session_id": s.id,
        "member_id": s.member_id,
        "member_name": member.name,
        "date": dt.datetime.fromtimestamp(s.started).date().isoformat(),
        "started_utc": iso_time(s.started),
        "ended_utc": iso_time(s.ended),
        "duration_min": duration,
        "backward_min": num("backward_minutes", 2),
        "planned_backward_min": num("planned_backward_minutes", 2),
        "upright_pct": num("upright_percent"),
        "mean_trunk_lean_deg": lean,
        "mean_lean_vs_baseline_deg": vs_baseline,
        "max_trunk_lean_deg": num("max_trunk_lean_deg"),
        "core_score": num("average_core_score"),
        "cadence_spm": num("average_cadence_spm"),
        "steps": summary.get("steps"),
        "toe_first_pct": num("toe_first_percent"),
        "incline_pct": num("incline_percent"),
        "intervals": None if intervals is None else ("yes" if intervals else "no"),
        "fault_count": summary.get("fault_total"),
        "program": s.program,
        "station_id": s.station_id,
        "outcome": s.status,
        "avg_speed_kmh": num("average_speed_kmh", 2),
        "backward_distance_m": num("backward_distance_m"),
        "avg_stride_m": num("average_stride_m", 2),
        "avg_heart_rate_bpm": _whole(num("average_heart_rate_bpm", 0)),
        "peak_heart_rate_bpm": _whole(num("peak_heart_rate_bpm", 0)),
    }


def write_json(
    store: Store,
    sessions: Sequence[SessionRecord],
    out: TextIO,
    samples: bool = False,
    tick: Callable[[], object] | None = None,
) -> None:
    """``{"sessions": [...]}``; with ``samples`` each session also carries samples and events."""
    items = []
    for s in sessions:
        item = session_row(s)
        if samples:
            item["samples"] = [asdict(x) for x in store.samples(s.id)]
            item["events"] = [asdict(e) for e in store.events(s.id)]
        items.append(item)
        if tick:
            tick()
    json.dump({"format": "backstep-sessions", "version": 2, "sessions": items}, out, indent=1)
    out.write("\n")


def write_sessions_csv(
    lookup: MemberLookup,
    sessions: Sequence[SessionRecord],
    out: TextIO,
    tick: Callable[[], object] | None = None,
) -> None:
    """One row per session with flat, unit-suffixed columns (`SESSION_COLUMNS`)."""
    w = csv.DictWriter(out, fieldnames=SESSION_COLUMNS, lineterminator="\n")
    w.writeheader()
    for s in sessions:
        row = flat_row(s, lookup(s.member_id))
        w.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
        if tick:
            tick()


def write_samples_csv(
    samples: Callable[[int], Sequence[Sample]],
    sessions: Sequence[SessionRecord],
    out: TextIO,
    tick: Callable[[], object] | None = None,
) -> None:
    """One row per sample (``t_s`` = seconds since the session started)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(SAMPLE_COLUMNS)
    for s in sessions:
        for x in samples(s.id):
            row = [
                *(s.id, x.t, x.trunk_lean, x.lateral_lean, x.core_score, x.cadence, x.posture),
                *(x.speed_kmh, x.incline_pct, x.distance_m, x.stride_m, x.heart_rate_bpm),
            ]
            w.writerow([spreadsheet_safe(v) for v in row])
        if tick:
            tick()


def samples_path(out: Path) -> Path:
    """Where the samples CSV goes beside a sessions CSV: ``name.samples.csv``."""
    return out.with_name(out.stem + ".samples" + (out.suffix or ".csv"))


def export_sessions(
    store: Store,
    fmt: ExportFormat,
    out: Path | None,
    *,
    member_id: str | None = None,
    since: dt.date | None = None,
    samples: bool = False,
    stdout: TextIO | None = None,
    progress: Callable[[int], Callable[[], object]] | None = None,
) -> list[Path]:
    """Export sessions; return the files written (none when writing to ``stdout``).

    CSV with samples needs a file: sessions go to ``out`` and samples to
    :func:`samples_path` (two tables do not fit one CSV). ``progress(total)`` returns a
    function called once per session written (a progress bar's update).
    """
    sessions = select_sessions(store, member_id, since)
    passes = 2 if fmt == "csv" and samples else 1
    tick = progress(passes * len(sessions)) if progress else None
    if out is None:
        if fmt == "csv" and samples:
            raise ValueError("--samples with --format csv needs --out FILE (two files are written)")
        buf = io.StringIO()
        _write(store, sessions, fmt, buf, samples, tick)
        (stdout or io.StringIO()).write(buf.getvalue())
        return []
    written = [out]
    _write_file(out, lambda fh: _write(store, sessions, fmt, fh, samples, tick))
    if fmt == "csv" and samples:
        extra = samples_path(out)
        _write_file(extra, lambda fh: write_samples_csv(store.samples, sessions, fh, tick))
        written.append(extra)
    logger.info("exported %d sessions to %s", len(sessions), ", ".join(map(str, written)))
    return written


def _write(
    store: Store,
    sessions: Sequence[SessionRecord],
    fmt: ExportFormat,
    fh: TextIO,
    samples: bool,
    tick: Callable[[], object] | None,
) -> None:
    if fmt == "json":
        write_json(store, sessions, fh, samples, tick)
    else:
        write_sessions_csv(MemberLookup.of_store(store), sessions, fh, tick)


def _write_file(path: Path, write: Callable[[TextIO], None]) -> None:
    # Write beside and rename, so a failed export never leaves half a file under the name.
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        write(fh)
    tmp.replace(path)


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def _number(value: Any) -> float | None:
    """A number as float; None for anything else (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
