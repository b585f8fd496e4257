"""Belt speed and heart rate on the session page, the CSV, and databases without them."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

from dashboard.machine import MACHINE_COLUMNS, machine_facts
from dashboard.sqlite_data import SqliteData
from kiosk.store.records import Sample

#: The columns as the kiosk's migration adds them (`SessionView`'s contract for #27).
COLUMN_TYPES = {
    "speed_kmh": "REAL",
    "incline_pct": "REAL",
    "distance_m": "REAL",
    "stride_m": "REAL",
    "heart_rate_bpm": "INTEGER",
}


def add_machine_columns(db: Path) -> None:
    """The sample columns, unless the store's own migration already made them."""
    with sqlite3.connect(db) as conn:
        have = {r[1] for r in conn.execute("PRAGMA table_info(samples)")}
        for name, kind in COLUMN_TYPES.items():
            if name not in have:
                conn.execute(f"ALTER TABLE samples ADD COLUMN {name} {kind}")


def fill_machine(db: Path, session_id: int, formula_at: float | None = None) -> None:
    """A treadmill at 3.2 km/h then 4.0, its odometer, stride, a strap from 96 to 155 bpm."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT t FROM samples WHERE session_id = ?", (session_id,)).fetchall()
        for (t,) in rows:
            speed = 3.2 if t < 60 else 4.0
            hr = None if 40 <= t < 45 else 96 + int(t) // 2  # the strap dropped out for 5 s
            conn.execute(
                "UPDATE samples SET speed_kmh = ?, incline_pct = 1.0, distance_m = ?,"
                " stride_m = 0.5, heart_rate_bpm = ? WHERE session_id = ? AND t = ?",
                (speed, 1000.0 + t * speed / 3.6, hr, session_id, t),
            )
        if formula_at is not None:  # SQLite keeps text in a REAL column: it must not leak
            conn.execute(
                "UPDATE samples SET heart_rate_bpm = '=HYPERLINK(\"http://x\")'"
                " WHERE session_id = ? AND t = ?",
                (session_id, formula_at),
            )


def chart_ids(html: str) -> list[str]:
    match = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert match, "no chart data on the page"
    return [c["id"] for c in json.loads(match.group(1))]


def test_a_linked_session_shows_speed_and_heart_rate_charts_and_facts(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    data_dir, ids = seeded
    db = data_dir / "backstep.sqlite3"
    add_machine_columns(db)
    fill_machine(db, ids["steady_last"])
    page = trainer.get(f"/sessions/{ids['steady_last']}")
    assert page.status_code == 200
    assert chart_ids(page.text) == ["lean", "core", "cadence", "speed", "heart"]
    text = re.sub(r"<[^>]+>", "", page.text)
    # 60 s at 3.2 km/h and 60 s at 4.0: 3.6 km/h = 2.2 mph (the staff file's default units)
    assert "Average belt speed 2.2 mph" in text
    assert "Distance (whole session)" in text and "Average stride 20 in" in text
    assert "Heart rate 126 bpm average · 155 peak" in text
    # a session of the same database without a treadmill: the page as before
    other = trainer.get(f"/sessions/{ids['slipping_last']}")
    assert other.status_code == 200
    assert chart_ids(other.text) == ["lean", "core", "cadence"]
    assert "belt speed" not in other.text.lower() and "bpm average" not in other.text


def test_the_chart_leaves_a_gap_where_the_strap_dropped_out(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    data_dir, ids = seeded
    db = data_dir / "backstep.sqlite3"
    add_machine_columns(db)
    fill_machine(db, ids["steady_last"])
    page = trainer.get(f"/sessions/{ids['steady_last']}")
    match = re.search(r'id="chart-data">(.*?)</script>', page.text, re.S)
    assert match
    heart = next(c for c in json.loads(match.group(1)) if c["id"] == "heart")
    ys = heart["ys"][0]
    assert ys[39] == 115.0 and ys[40] is None and ys[44] is None and ys[45] == 118.0


def test_the_backward_distance_is_the_summary_s_when_the_kiosk_stored_it() -> None:
    samples = [
        Sample(float(t), speed_kmh=3.6, distance_m=100.0 + t, stride_m=0.52, heart_rate_bpm=120)
        for t in range(10)
    ]
    facts = machine_facts(samples, {"backward_distance_m": 412.0}, "km/h")
    assert (facts.distance, facts.distance_backward) == ("412 m", True)
    facts = machine_facts(samples, {}, "km/h")
    assert (facts.distance, facts.distance_backward) == ("9 m", False)
    assert facts.average_speed == 3.6 and facts.stride == "0.52 m"
    assert machine_facts(samples, {"backward_distance_m": 12480.0}, "km/h").distance == "12.48 km"
    assert machine_facts([], {}, "mph").present is False


def test_the_samples_csv_carries_the_columns_and_no_formula(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    data_dir, ids = seeded
    db = data_dir / "backstep.sqlite3"
    add_machine_columns(db)
    fill_machine(db, ids["steady_last"], formula_at=10.0)
    body = trainer.get(f"/sessions/{ids['steady_last']}/samples.csv").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert set(MACHINE_COLUMNS) <= set(rows[0]), rows[0].keys()
    assert [list(rows[0]).count(c) for c in MACHINE_COLUMNS] == [1] * 5
    assert float(rows[70]["speed_kmh"]) == 4.0 and rows[70]["heart_rate_bpm"] == "131"
    assert rows[41]["heart_rate_bpm"] == ""  # the dropout: empty, not zero
    assert rows[10]["heart_rate_bpm"] == "" and "HYPERLINK" not in body


def test_an_older_database_without_the_columns_shows_the_page_as_before(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    data_dir, ids = seeded
    db = data_dir / "backstep.sqlite3"
    with sqlite3.connect(db) as conn:
        have = {r[1] for r in conn.execute("PRAGMA table_info(samples)")}
        for name in set(MACHINE_COLUMNS) & have:  # the store's migration made them: as before it
            conn.execute(f"ALTER TABLE samples DROP COLUMN {name}")
    page = trainer.get(f"/sessions/{ids['steady_last']}")
    assert page.status_code == 200
    assert chart_ids(page.text) == ["lean", "core", "cadence"]
    rows = list(csv.DictReader(io.StringIO(
        trainer.get(f"/sessions/{ids['steady_last']}/samples.csv").text
    )))  # fmt: skip
    assert rows and all(row[c] == "" for row in rows for c in MACHINE_COLUMNS)
    reader = SqliteData(db)
    try:
        samples = reader.samples(ids["steady_last"])
        assert samples and all(s.speed_kmh is None for s in samples)
        assert samples[0].trunk_lean is not None  # the rest is read as before
    finally:
        reader.close()
