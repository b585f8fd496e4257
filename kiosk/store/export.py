"""Session history for trainers as CSV or JSON (summaries; samples on request)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal, TextIO

from kiosk.store.database import SessionRecord, Store

logger = logging.getLogger(__name__)

ExportFormat = Literal["csv", "json"]

SESSION_COLUMNS = (
    "session_id", "member_id", "program", "station_id", "started", "ended", "status", "summary",
)  # fmt: skip
SAMPLE_COLUMNS = (
    "session_id", "t", "trunk_lean", "lateral_lean", "core_score", "cadence", "posture",
)  # fmt: skip


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
        statuses=("completed", "stopped", "interrupted"),
    )


def session_row(s: SessionRecord) -> dict[str, Any]:
    """One session as a flat dict (summary kept as a dict)."""
    return {
        "session_id": s.id,
        "member_id": s.member_id,
        "program": s.program,
        "station_id": s.station_id,
        "started": iso_time(s.started),
        "ended": iso_time(s.ended),
        "status": s.status,
        "summary": s.summary,
    }


def write_json(
    store: Store, sessions: Sequence[SessionRecord], out: TextIO, samples: bool = False
) -> None:
    """``{"sessions": [...]}``; with ``samples`` each session also carries samples and events."""
    items = []
    for s in sessions:
        item = session_row(s)
        if samples:
            item["samples"] = [asdict(x) for x in store.samples(s.id)]
            item["events"] = [asdict(e) for e in store.events(s.id)]
        items.append(item)
    json.dump({"format": "backstep-sessions", "version": 1, "sessions": items}, out, indent=1)
    out.write("\n")


def write_sessions_csv(sessions: Sequence[SessionRecord], out: TextIO) -> None:
    """One row per session; the summary is a JSON text column."""
    w = csv.DictWriter(out, fieldnames=SESSION_COLUMNS, lineterminator="\n")
    w.writeheader()
    for s in sessions:
        row = session_row(s)
        row["summary"] = json.dumps(s.summary, sort_keys=True) if s.summary is not None else ""
        w.writerow(row)


def write_samples_csv(store: Store, sessions: Sequence[SessionRecord], out: TextIO) -> None:
    """One row per sample (``t`` = seconds since the session started)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(SAMPLE_COLUMNS)
    for s in sessions:
        for x in store.samples(s.id):
            w.writerow(
                [s.id, x.t, x.trunk_lean, x.lateral_lean, x.core_score, x.cadence, x.posture]
            )


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
) -> list[Path]:
    """Export sessions; return the files written (none when writing to ``stdout``).

    CSV with samples needs a file: sessions go to ``out`` and samples to
    :func:`samples_path` (two tables do not fit one CSV).
    """
    sessions = select_sessions(store, member_id, since)
    if out is None:
        if fmt == "csv" and samples:
            raise ValueError("--samples with --format csv needs --out FILE (two files are written)")
        buf = io.StringIO()
        _write(store, sessions, fmt, buf, samples)
        (stdout or io.StringIO()).write(buf.getvalue())
        return []
    written = [out]
    _write_file(out, lambda fh: _write(store, sessions, fmt, fh, samples))
    if fmt == "csv" and samples:
        extra = samples_path(out)
        _write_file(extra, lambda fh: write_samples_csv(store, sessions, fh))
        written.append(extra)
    logger.info("exported %d sessions to %s", len(sessions), ", ".join(map(str, written)))
    return written


def _write(
    store: Store, sessions: Sequence[SessionRecord], fmt: ExportFormat, fh: TextIO, samples: bool
) -> None:
    if fmt == "json":
        write_json(store, sessions, fh, samples)
    else:
        write_sessions_csv(sessions, fh)


def _write_file(path: Path, write: Any) -> None:
    # Write beside and rename, so a failed export never leaves half a file under the name.
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        write(fh)
    tmp.replace(path)
