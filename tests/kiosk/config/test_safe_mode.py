"""Safe mode: an invalid staff file at start-up runs on the last valid config, or the defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import FIXTURES

from kiosk.config.loader import packaged_default_path, read_config_file
from kiosk.config.safe import ConfigMode, last_valid_path, load_config_safe

CLIP = FIXTURES / "single_person_front.mp4"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """systemd's StateDirectory for the kiosk, empty."""
    monkeypatch.delenv("BACKSTEP_STATE_DIR", raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.delenv("BACKSTEP_CONFIG", raising=False)
    return tmp_path / "state"


def staff_file(tmp_path: Path, forward_warn: str) -> Path:
    path = tmp_path / "backstep.toml"
    path.write_text(
        f'[storage]\ndata_dir = "{tmp_path / "data"}"\n\n[cues]\nsound = false\n\n'
        f"[posture]\nforward_warn_deg = {forward_warn}\n"
    )
    return path


def test_a_valid_file_is_used_and_kept(tmp_path: Path, state: Path) -> None:
    path = staff_file(tmp_path, "12.0")
    loaded = load_config_safe(path)
    assert loaded.mode is ConfigMode.STAFF_FILE and not loaded.safe_mode
    assert loaded.config.posture.forward_warn_deg == 12.0
    assert last_valid_path() == state / "last-valid-config.toml"
    assert last_valid_path().read_text() == path.read_text()


def test_a_broken_file_starts_on_the_last_valid_config(tmp_path: Path, state: Path) -> None:
    path = staff_file(tmp_path, "12.0")
    load_config_safe(path)
    staff_file(tmp_path, '"twelve"')  # the staff edit that breaks it
    loaded = load_config_safe(path)
    assert loaded.mode is ConfigMode.LAST_VALID and loaded.safe_mode
    assert loaded.config.posture.forward_warn_deg == 12.0  # the last valid value, not a default
    assert loaded.path == path  # a reload re-reads the staff file, not the copy
    # Short lines for the staff screen: what runs first, then each error by line and key.
    assert loaded.problems[0].startswith("SAFE MODE: last valid config in use (kept ")
    assert loaded.problems[1] == (
        'line 8: posture.forward_warn_deg = "twelve": allowed: a number from 5 to 25'
    )
    # The broken file never replaces the kept copy.
    assert "12.0" in last_valid_path().read_text()


def test_with_no_valid_config_ever_it_runs_on_the_packaged_defaults(
    tmp_path: Path, state: Path
) -> None:
    path = staff_file(tmp_path, '"twelve"')
    loaded = load_config_safe(path)
    assert loaded.mode is ConfigMode.DEFAULTS and loaded.safe_mode
    assert loaded.config == read_config_file(packaged_default_path())
    assert loaded.problems[0] == "SAFE MODE: packaged defaults in use (config invalid)"
    assert not last_valid_path().exists()


def test_a_kept_copy_that_no_longer_validates_falls_back_to_the_defaults(
    tmp_path: Path, state: Path
) -> None:
    state.mkdir()
    last_valid_path().write_text("[posture]\nremoved_by_an_update = 1\n")
    loaded = load_config_safe(staff_file(tmp_path, '"twelve"'))
    assert loaded.mode is ConfigMode.DEFAULTS


def test_a_successful_reload_updates_the_kept_copy(tmp_path: Path, state: Path) -> None:
    from kiosk.config.reload import ConfigReloader

    path = staff_file(tmp_path, "12.0")
    reloader = ConfigReloader(path, load_config_safe(path).config, install_signal=False)
    staff_file(tmp_path, "14.0")
    reloader.request()
    outcome = reloader.wait()
    assert outcome is not None and outcome.ok
    assert "14.0" in last_valid_path().read_text()


def test_backstep_run_starts_in_safe_mode_and_reports_the_errors(
    tmp_path: Path, state: Path
) -> None:
    from kiosk.cli import main

    path = staff_file(tmp_path, "12.0")
    load_config_safe(path)  # a start with the valid file kept a copy
    staff_file(tmp_path, '"twelve"')
    out = CliRunner().invoke(
        main,
        ["run", "--config", str(path), "--headless", "--seconds", "1", "--source", str(CLIP)],
    )
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["frames_drawn"] > 0  # the screen is drawn: no blank screen
    errors = "\n".join(summary["errors"])
    assert "posture.forward_warn_deg" in errors and "SAFE MODE" in errors
