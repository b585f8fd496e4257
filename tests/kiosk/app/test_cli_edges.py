"""Small CLI edges: config check --config, no .part names, a mistyped --source, a bad --zone."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support.paths import FIXTURES, ROOT

from kiosk.cli import main

CLIP = FIXTURES / "single_person_front.mp4"


def test_config_check_takes_config_like_every_other_command(tmp_path: Path) -> None:
    runner = CliRunner()
    good = ROOT / "config" / "backstep.toml"
    result = runner.invoke(main, ["config", "check", "--config", str(good)])
    assert result.exit_code == 0, result.output
    assert f"OK: {good}" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[staff]\npin = 12\n")
    result = runner.invoke(main, ["config", "check", "--config", str(bad)])
    assert result.exit_code == 1
    assert "pin" in result.output


def test_config_show_and_the_data_folder_from_the_environment(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["config", "show"], env={"BACKSTEP_DATA_DIR": str(tmp_path / "here")}
    )
    assert result.exit_code == 0, result.output
    assert f"# Data folder: {tmp_path / 'here'} (from $BACKSTEP_DATA_DIR" in result.output


def test_export_into_a_missing_folder_names_the_file_not_the_part_file(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "sessions.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 1
    assert f"cannot write {out}" in result.output
    assert ".part" not in result.output


def test_analyze_into_a_missing_folder_names_the_file_not_the_part_file(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "rows.csv"
    result = CliRunner().invoke(main, ["analyze", str(CLIP), "--out", str(out)])
    assert result.exit_code == 1
    assert f"cannot write {out}" in result.output
    assert ".part" not in result.output


def test_a_bad_zone_is_one_plain_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["analyze", str(CLIP), "--zone", "0.9,0,0.1,1"])
    assert result.exit_code == 2
    assert "--zone" in result.output
    assert "pydantic" not in result.output
    assert "x0 < x1" in result.output


def test_a_mistyped_source_file_exits_non_zero_at_once(tmp_path: Path) -> None:
    missing = tmp_path / "walk.mp4"
    result = CliRunner().invoke(main, ["run", "--headless", "--source", str(missing)])
    assert result.exit_code == 2
    assert "--source" in result.output
    assert "is not a video file" in result.output


def test_doctor_names_the_data_folder_source_and_the_kiosks_recording_failures(
    tmp_path: Path,
) -> None:
    from kiosk.store.saving_status import write_saving_status

    folder = tmp_path / "here"
    folder.mkdir()
    env = {"BACKSTEP_DATA_DIR": str(folder)}
    result = CliRunner().invoke(main, ["doctor"], env=env)
    assert f"{folder} [from $BACKSTEP_DATA_DIR, overriding storage.data_dir]" in result.output
    assert "no recording failures reported" in result.output
    write_saving_status(folder, 3, "the disk holding it is full")
    result = CliRunner().invoke(main, ["doctor"], env=env)
    assert "3 recording failure(s) reported by the kiosk; last: the disk holding" in result.output
