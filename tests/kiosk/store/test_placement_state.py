"""The last placement check's verdicts are kept in the data folder and read back for sessions."""

from __future__ import annotations

from pathlib import Path

from kiosk.store.placement_state import PLACEMENT_FILE, load_placement, save_placement


def test_verdicts_round_trip_through_the_data_folder(tmp_path: Path) -> None:
    assert load_placement(tmp_path) is None
    save_placement(tmp_path, {"level": "fail", "light": "pass"}, now=1_700_000_000.0)
    record = load_placement(tmp_path)
    assert record is not None
    assert record.verdicts == {"level": "fail", "light": "pass"}
    assert record.event_data() == {"checked_at": 1_700_000_000, "level": "fail", "light": "pass"}


def test_a_damaged_file_is_no_record_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / PLACEMENT_FILE).write_text("{not json")
    assert load_placement(tmp_path) is None
