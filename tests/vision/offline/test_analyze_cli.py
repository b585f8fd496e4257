"""``backstep analyze``: one row per frame, JSONL or CSV, from the kiosk's own pipeline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from vision.offline.analyze import METRIC_KEYS, ROW_KEYS

FRAMES = 50


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def jsonl_rows(single_person_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("analyze") / "rows.jsonl"
    code, stdout, stderr = run(str(single_person_clip), "--out", str(out))
    assert code == 0, stderr
    assert stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == FRAMES
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_jsonl_has_exactly_one_object_per_frame_in_order(jsonl_rows: list[dict]) -> None:
    assert [r["frame"] for r in jsonl_rows] == list(range(FRAMES))
    assert [r["t"] for r in jsonl_rows] == pytest.approx([i / 30 for i in range(FRAMES)], abs=1e-3)


@pytest.mark.slow
def test_every_jsonl_row_has_the_schema_keys(jsonl_rows: list[dict]) -> None:
    for row in jsonl_rows:
        assert list(row) == list(ROW_KEYS)
        assert isinstance(row["person"], bool)
        assert isinstance(row["events"], list)
        assert row["step"] is None or set(row["step"]) == {"side", "toe_first"}


@pytest.mark.slow
def test_rows_carry_the_members_metrics(jsonl_rows: list[dict]) -> None:
    with_person = [r for r in jsonl_rows if r["person"]]
    assert len(with_person) >= 0.9 * FRAMES
    assert all(r["posture"] is not None for r in with_person)
    # camera.view = "auto" (the default) sees the fixture's member from the front: the side
    # lean is measured, a sagittal trunk lean would be meaningless and is not reported
    assert all(r["view"] == "front" for r in with_person[-10:])
    assert any(isinstance(r["lateral_lean_deg"], float) for r in with_person)
    assert all(r["trunk_lean_deg"] is None for r in with_person if r["view"] == "front")
    # A step event on a frame is also summarised in its "step" column.
    for r in jsonl_rows:
        steps = [e for e in r["events"] if e["kind"] == "step"]
        assert (r["step"] is not None) == bool(steps)


@pytest.mark.slow
def test_csv_has_the_same_columns_and_rows(
    single_person_clip: Path, tmp_path: Path, jsonl_rows: list[dict]
) -> None:
    out = tmp_path / "rows.csv"
    code, _, stderr = run(str(single_person_clip), "--out", str(out))
    assert code == 0, stderr
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == ROW_KEYS
        rows = list(reader)
    assert len(rows) == FRAMES
    for c, j in zip(rows, jsonl_rows, strict=True):
        assert int(c["frame"]) == j["frame"]
        assert c["person"] == ("true" if j["person"] else "false")
        assert c["posture"] == (j["posture"] or "")
        assert (json.loads(c["events"]) if c["events"] else []) == j["events"]
        for key in METRIC_KEYS:
            if isinstance(j[key], float):
                assert float(c[key]) == pytest.approx(j[key])


@pytest.mark.slow
def test_without_out_jsonl_goes_to_stdout_and_the_summary_to_stderr(
    two_people_clip: Path,
) -> None:
    code, stdout, stderr = run(str(two_people_clip), "--zone", "0.45,0,1,1", "--view", "auto")
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert len(lines) == FRAMES
    assert all(json.loads(line)["frame"] == i for i, line in enumerate(lines))
    assert "50 frames" in stderr and "member found" in stderr


@pytest.mark.slow
def test_a_zone_on_empty_floor_gives_rows_without_a_person(two_people_clip: Path) -> None:
    code, stdout, stderr = run(str(two_people_clip), "--zone", "0.7,0.75,1,1")
    assert code == 0, stderr
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert len(rows) == FRAMES
    assert not any(r["person"] for r in rows)
    assert all(r["trunk_lean_deg"] is None for r in rows)


@pytest.mark.parametrize("zone", ["0.5,0.1,0.6", "a,b,c,d", "0.9,0,0.1,1"])
def test_a_bad_zone_is_refused_with_a_clear_message(single_person_clip: Path, zone: str) -> None:
    code, stdout, stderr = run(str(single_person_clip), "--zone", zone)
    assert code == 2
    assert "--zone" in stderr
    assert stdout == ""


def test_a_file_that_is_not_a_video_is_a_clear_error_and_keeps_the_old_output(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    out = tmp_path / "x.jsonl"
    out.write_text("earlier results\n")
    code, stdout, stderr = run(str(bad), "--out", str(out))
    assert code == 1
    assert "notes.mp4" in stderr
    assert stdout == ""
    assert out.read_text() == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp4", "x.jsonl"]


def test_a_missing_video_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "missing.mp4"))
    assert code == 2
    assert "missing.mp4" in stderr


@pytest.mark.slow
def test_the_summary_gives_steps_cadence_upright_facing_and_view(tmp_path: Path) -> None:
    """On the real backward walker (6 contacts by hand, 112.5 steps/min, side view, facing
    left; see tests/vision/metrics/test_gait_real.py)."""
    import re

    from support.paths import FIXTURES

    out = tmp_path / "rows.csv"
    code, _, stderr = run(str(FIXTURES / "retro_walk_gym.mp4"), "--out", str(out), "--workers", "2")
    assert code == 0, stderr
    assert "with 2 pose workers" in stderr
    line = next(x for x in stderr.splitlines() if x.startswith("steps "))
    found = re.match(
        r"steps (\d+), cadence ([\d.]+) steps/min, upright (\d+)%, facing (\w+) \d+ \(frames\), "
        r"view (\w+) \d+ \(frames\)",
        line,
    )
    assert found, line
    steps, cadence, upright, facing, view = found.groups()
    assert int(steps) == 6
    assert float(cadence) == pytest.approx(112.5, rel=0.05)
    assert 0 <= int(upright) <= 100
    assert (facing, view) == ("left", "side")
