"""Export: CSV and JSON parse back to the same sessions; filters; samples on request."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.export import export
from kiosk.store.database import Store
from kiosk.store.records import EventRecord, Member, Sample

# these tests point storage.data_dir at tmp folders themselves
pytestmark = pytest.mark.config_data_dir

DAY = 86400.0
START = dt.datetime(2026, 3, 10, 9, 30).timestamp()


def summary_for(i: int) -> dict[str, object]:
    """A summary shaped like `SessionRun.finish` writes, with the 1 Hz samples it embeds."""
    return {
        "upright_share": 0.5 + i / 10,
        "upright_percent": 50.0 + 10 * i,
        "backward_minutes": 4.5,
        "planned_backward_minutes": 5.0,
        "average_trunk_lean_deg": 6.25,
        "max_trunk_lean_deg": 12.0,
        "average_core_score": 71.0,
        "average_cadence_spm": 88.4,
        "steps": 400,
        "toe_first_percent": 90.0,
        "incline_percent": 5.0,
        "intervals": False,
        "fault_total": 3,
        "samples": [{"t": float(t), "trunk_lean_deg": 6.0} for t in range(30)],
    }


@pytest.fixture
def config(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "backstep.sqlite3"
    with Store(db) as store:
        store.upsert_members(
            [Member("1", "Ada", dt.date(2030, 1, 1)), Member("2", "Bo", dt.date(2030, 1, 1))]
        )
        for i, mid in enumerate(["1", "2", "1", None]):
            sid = store.start_session(mid, "starter", START + i * DAY, "station-1")
            store.append_session_data(
                sid,
                [Sample(0.0, 1.5, -0.5, 80.0, 95.0, "upright"), Sample(1.0, None, None, None)],
                [EventRecord(0.5, "fault", {"fault": "leaning_forward"})],
            )
            store.finish_session(sid, "completed", START + i * DAY + 300.25, summary_for(i))
        store.start_session("1", "starter", START + 9 * DAY)  # live: never exported
        store.save_baseline("1", {"trunk_lean_deg": 2.0}, START)
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    return cfg


def stored_sessions(cfg: Path) -> list[dict[str, object]]:
    """The finished sessions as stored; summaries without their embedded samples."""
    with Store(cfg.parent / "data" / "backstep.sqlite3") as store:
        return [
            {
                "session_id": s.id,
                "member_id": s.member_id,
                "started": s.started,
                "ended": s.ended,
                "status": s.status,
                "summary": {k: v for k, v in (s.summary or {}).items() if k != "samples"},
            }
            for s in store.list_sessions(statuses=("completed",))
        ]


def parse_time(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_json_export_round_trips_the_sessions_without_samples(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "sessions.json"
    result = CliRunner().invoke(
        export, ["--format", "json", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    parsed = [
        {
            "session_id": s["session_id"],
            "member_id": s["member_id"],
            "started": pytest.approx(parse_time(s["started"]), abs=1e-3),
            "ended": pytest.approx(parse_time(s["ended"]), abs=1e-3),
            "status": s["status"],
            "summary": s["summary"],
        }
        for s in data["sessions"]
    ]
    assert parsed == stored_sessions(config)
    # Neither the stored samples nor the 1 Hz samples inside the summary, unless asked.
    assert "samples" not in out.read_text()


def test_csv_export_is_one_flat_row_per_session(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "sessions.csv"
    result = CliRunner().invoke(
        export, ["--format", "csv", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == [
        "session_id", "member_id", "member_name", "date", "started_utc", "ended_utc",
        "duration_min", "backward_min", "planned_backward_min", "upright_pct",
        "mean_trunk_lean_deg", "mean_lean_vs_baseline_deg", "max_trunk_lean_deg", "core_score",
        "cadence_spm", "steps", "toe_first_pct", "incline_pct", "intervals", "fault_count",
        "program", "station_id", "outcome", "avg_speed_kmh", "backward_distance_m",
        "avg_stride_m", "avg_heart_rate_bpm", "peak_heart_rate_bpm",
    ]  # fmt: skip
    assert [r["session_id"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["member_name"] for r in rows] == ["Ada", "Bo", "Ada", ""]
    first = rows[0]
    assert first["member_id"] == "1"
    assert first["date"] == "2026-03-10"
    assert parse_time(first["started_utc"]) == pytest.approx(START, abs=1e-3)
    assert float(first["duration_min"]) == pytest.approx(300.25 / 60, abs=0.01)
    assert float(first["backward_min"]) == 4.5
    assert float(first["upright_pct"]) == 50.0 and float(rows[2]["upright_pct"]) == 70.0
    assert float(first["mean_trunk_lean_deg"]) == pytest.approx(6.2, abs=0.06)
    # Ada has a stored baseline lean of 2.0 degrees; Bo has none, so his cell is blank.
    assert float(first["mean_lean_vs_baseline_deg"]) == pytest.approx(4.2, abs=0.06)
    assert rows[1]["mean_lean_vs_baseline_deg"] == ""
    assert float(first["core_score"]) == 71.0 and float(first["cadence_spm"]) == 88.4
    assert float(first["incline_pct"]) == 5.0 and first["intervals"] == "no"
    assert first["steps"] == "400" and first["fault_count"] == "3"
    assert first["outcome"] == "completed" and first["station_id"] == "station-1"
    # No JSON in any cell, and no samples file without --samples.
    assert not any("{" in cell for r in rows for cell in r.values())
    assert not (tmp_path / "sessions.samples.csv").exists()


def test_csv_samples_are_their_own_csv(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "sessions.csv"
    result = CliRunner().invoke(
        export, ["--format", "csv", "--samples", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 4
    with (tmp_path / "sessions.samples.csv").open(newline="") as fh:
        samples = list(csv.DictReader(fh))
    assert len(samples) == 8
    assert samples[0] == {
        "session_id": "1", "t_s": "0.0", "trunk_lean_deg": "1.5", "lateral_lean_deg": "-0.5",
        "core_score": "80.0", "cadence_spm": "95.0", "posture": "upright", "speed_kmh": "",
        "incline_pct": "", "distance_m": "", "stride_m": "", "heart_rate_bpm": "",
    }  # fmt: skip
    assert samples[1]["trunk_lean_deg"] == "" and samples[1]["posture"] == ""


def test_filters_by_member_and_day_and_includes_samples_in_json(config: Path) -> None:
    since = dt.date.fromtimestamp(START + DAY).isoformat()
    result = CliRunner().invoke(
        export,
        [
            "--format",
            "json",
            "--member",
            "1",
            "--since",
            since,
            "--samples",
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 0, result.output
    [session] = json.loads(result.stdout)["sessions"]
    assert session["member_id"] == "1" and session["session_id"] == 3
    assert [s["t"] for s in session["samples"]] == [0.0, 1.0]
    assert session["events"] == [{"t": 0.5, "kind": "fault", "data": {"fault": "leaning_forward"}}]


def test_csv_samples_to_stdout_is_a_clear_error(config: Path) -> None:
    result = CliRunner().invoke(export, ["--format", "csv", "--samples", "--config", str(config)])
    assert result.exit_code == 1 and "--out" in result.output


def test_the_belt_and_the_heart_reach_the_store_and_both_exports(tmp_path: Path) -> None:
    db = tmp_path / "data" / "backstep.sqlite3"
    with Store(db) as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
        sid = store.start_session("1", "starter", START, "station-1")
        linked = Sample(0.0, 1.5, None, 80.0, 95.0, "upright", 4.2, 1.0, 12.5, 0.66, 131)
        gap = Sample(1.0, 1.4, None, 80.0, 95.0, "upright")  # the links were quiet: a row
        store.append_session_data(sid, [linked, gap], [])
        machine = {
            "average_speed_kmh": 4.2,
            "backward_distance_m": 12.5,
            "average_stride_m": 0.66,
            "average_heart_rate_bpm": 131,
            "peak_heart_rate_bpm": 140,
            "speed_units": "mph",
        }
        store.finish_session(sid, "completed", START + 60, {**summary_for(0), **machine})
        assert store.samples(sid) == [linked, gap]
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    out = tmp_path / "sessions.csv"
    args = ["--format", "csv", "--samples", "--out", str(out), "--config", str(cfg)]
    assert CliRunner().invoke(export, args).exit_code == 0
    with out.open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["avg_speed_kmh"] == "4.2" and row["backward_distance_m"] == "12.5"
    assert row["avg_stride_m"] == "0.66" and row["avg_heart_rate_bpm"] == "131"
    assert row["peak_heart_rate_bpm"] == "140"
    with (tmp_path / "sessions.samples.csv").open(newline="") as fh:
        first, second = list(csv.DictReader(fh))
    assert (first["speed_kmh"], first["incline_pct"], first["distance_m"]) == ("4.2", "1.0", "12.5")
    assert (first["stride_m"], first["heart_rate_bpm"]) == ("0.66", "131")
    assert second["speed_kmh"] == "" and second["heart_rate_bpm"] == ""
    result = CliRunner().invoke(
        export, ["--format", "json", "--samples", "--config", str(cfg)], catch_exceptions=False
    )
    (session,) = json.loads(result.output)["sessions"]
    assert session["samples"][0]["speed_kmh"] == 4.2
    assert session["samples"][0]["heart_rate_bpm"] == 131
    assert session["samples"][1]["distance_m"] is None
