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
            store.finish_session(
                sid, "completed", START + i * DAY + 300.25, {"upright_share": 0.5 + i / 10}
            )
        store.start_session("1", "starter", START + 9 * DAY)  # live: never exported
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    return cfg


def stored_sessions(cfg: Path) -> list[dict[str, object]]:
    with Store(cfg.parent / "data" / "backstep.sqlite3") as store:
        return [
            {
                "session_id": s.id,
                "member_id": s.member_id,
                "started": s.started,
                "ended": s.ended,
                "status": s.status,
                "summary": s.summary,
            }
            for s in store.list_sessions(statuses=("completed",))
        ]


def parse_time(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_json_export_round_trips_the_sessions(tmp_path: Path, config: Path) -> None:
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
    assert "samples" not in data["sessions"][0]


def test_csv_export_round_trips_the_sessions_and_samples(tmp_path: Path, config: Path) -> None:
    out = tmp_path / "sessions.csv"
    result = CliRunner().invoke(
        export, ["--format", "csv", "--samples", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    parsed = [
        {
            "session_id": int(r["session_id"]),
            "member_id": r["member_id"] or None,
            "started": pytest.approx(parse_time(r["started"]), abs=1e-3),
            "ended": pytest.approx(parse_time(r["ended"]), abs=1e-3),
            "status": r["status"],
            "summary": json.loads(r["summary"]),
        }
        for r in rows
    ]
    assert parsed == stored_sessions(config)
    with (tmp_path / "sessions.samples.csv").open(newline="") as fh:
        samples = list(csv.DictReader(fh))
    assert len(samples) == 8
    assert samples[0] == {
        "session_id": "1", "t": "0.0", "trunk_lean": "1.5", "lateral_lean": "-0.5",
        "core_score": "80.0", "cadence": "95.0", "posture": "upright",
    }  # fmt: skip
    assert samples[1]["trunk_lean"] == "" and samples[1]["posture"] == ""


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
