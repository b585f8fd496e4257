"""The dashboard's pages and CSV downloads over HTTP, on a seeded station database."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient
from support.dashboard_data import add_session, summary

from kiosk.store.database import Store
from kiosk.store.export import SAMPLE_COLUMNS, SESSION_COLUMNS


def chart_data(html: str) -> list[dict]:
    match = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def test_members_are_listed_most_in_need_of_attention_first(trainer: TestClient) -> None:
    page = trainer.get("/members").text
    order = [page.index(name) for name in ("Unsafe Una", "Slipping Rita", "Steady Sam", "New Ned")]
    assert order == sorted(order)
    assert "2 safety alerts in 30 days" in page
    assert "upright 35 points below their recent sessions" in page
    assert "no sessions yet" in page
    # last visit, sessions this month, level and the suggestion are there for Sam
    row = page[page.index("Steady Sam") :].split("</tr>")[0]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row)
    assert "on track" in row and "minutes" in row


def test_a_member_page_has_trend_charts_with_units_and_the_sessions(
    trainer: TestClient, seeded
) -> None:
    r = trainer.get("/members/S1")
    assert r.status_code == 200
    charts = chart_data(r.text)
    assert [c["id"] for c in charts] == ["minutes", "upright", "lean", "core", "cadence", "incline"]
    assert all("(" in c["y_label"] and c["x"] for c in charts)  # every axis names its unit
    lean = next(c for c in charts if c["id"] == "lean")
    assert lean["y_label"] == "Mean trunk lean − baseline (°)"
    assert lean["ys"][0] == [1.0, 1.0, 1.0, 1.0]  # 4.0° mean against the 3.0° baseline
    minutes = next(c for c in charts if c["id"] == "minutes")["ys"][0]
    assert minutes == [3, 4, 5, 6]
    assert r.text.count('href="/sessions/') == 4
    assert "Suggested next session" in r.text
    assert "/static/uPlot.iife.min.js" in r.text


def test_a_member_page_lists_safety_events(trainer: TestClient, seeded) -> None:
    page = trainer.get("/members/U3").text
    assert f'href="/sessions/{seeded[1]["unsafe_last"]}"' in page
    assert "2 safety alerts" in page


def test_a_session_page_has_per_second_charts_events_and_the_plan(
    trainer: TestClient, seeded
) -> None:
    sid = seeded[1]["unsafe_last"]
    r = trainer.get(f"/sessions/{sid}")
    assert r.status_code == 200
    charts = chart_data(r.text)
    assert [c["id"] for c in charts] == ["lean", "core", "cadence"]
    lean = charts[0]
    assert len(lean["x"]) == 90 and lean["x"][:2] == [0.0, 1.0]
    assert [line["label"] for line in lean["lines"]][1:] == [
        "Forward limit +10°",
        "Backward limit -8°",
    ]
    assert {(e["t"], e["kind"]) for e in lean["events"]} == {(30.0, "safety"), (31.5, "fault")}
    assert "Plan and what was done" in r.text and "warmup" in r.text
    assert "leaning_forward" in r.text


def test_unknown_members_and_sessions_are_404(trainer: TestClient) -> None:
    assert trainer.get("/members/NOPE").status_code == 404
    assert trainer.get("/sessions/999999").status_code == 404
    assert trainer.get("/sessions/999999/samples.csv").status_code == 404
    assert trainer.get("/members/NOPE/sessions.csv").status_code == 404


def test_no_camera_image_is_served_anywhere(trainer: TestClient, seeded) -> None:
    for path in ("/members", "/members/S1", f"/sessions/{seeded[1]['steady_last']}"):
        html = trainer.get(path).text
        assert "<img" not in html and "<video" not in html and "data:image" not in html


def export_cli(data_dir: Path, *args: str) -> str:
    toml = data_dir.parent / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{data_dir}"\n')
    from kiosk.cli import main

    out = CliRunner().invoke(main, ["export", "--format", "csv", "--config", str(toml), *args])
    assert out.exit_code == 0, out.output
    return out.output


def test_the_csv_downloads_are_what_backstep_export_writes(trainer: TestClient, seeded) -> None:
    data_dir = seeded[0]
    r = trainer.get("/sessions.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert tuple(next(csv.reader(io.StringIO(r.text)))) == SESSION_COLUMNS
    assert r.text == export_cli(data_dir)
    mine = trainer.get("/members/R2/sessions.csv").text
    assert mine == export_cli(data_dir, "--member", "R2")
    assert len(list(csv.DictReader(io.StringIO(mine)))) == 4


def test_a_sessions_samples_csv_has_the_export_columns(trainer: TestClient, seeded) -> None:
    sid = seeded[1]["steady_last"]
    rows = list(csv.reader(io.StringIO(trainer.get(f"/sessions/{sid}/samples.csv").text)))
    assert tuple(rows[0]) == SAMPLE_COLUMNS
    assert len(rows) == 1 + 120 and {r[0] for r in rows[1:]} == {str(sid)}


def test_browsing_never_writes_the_station_database_and_the_kiosk_keeps_writing(
    trainer: TestClient, seeded
) -> None:
    db = seeded[0] / "backstep.sqlite3"
    with Store(db) as kiosk:  # the kiosk's own connection, open while trainers browse
        kiosk.recover_interrupted()
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        for path in ("/members", "/members/S1", "/sessions.csv"):
            assert trainer.get(path).status_code == 200
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        # the kiosk writes a session while the dashboard holds its read connection open
        sid = add_session(kiosk, "N4", time.time(), summary(2, 0.9, 80, 3.0), 30)
        page = trainer.get("/members").text
        assert trainer.get(f"/sessions/{sid}").status_code == 200
    row = page[page.index("New Ned") :].split("</tr>")[0]
    assert "no sessions yet" not in row
