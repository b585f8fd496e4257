"""The staff screen's zone "Save": written into the staff file, every comment and line kept."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from support.paths import ROOT

from kiosk.app.parts import persist_zone
from kiosk.config.edit import ConfigWriteError, save_zone
from kiosk.config.loader import read_config_file
from kiosk.config.safe import last_valid_path
from vision.settings import ZoneConfig

DOCUMENTED = ROOT / "config" / "backstep.toml"
ZONE = ZoneConfig(x0=0.2, y0=0.05, x1=0.8125, y1=0.95)


@pytest.fixture
def staff_file(tmp_path: Path) -> Path:
    """A copy of the documented config, as install.sh puts it in /etc/backstep."""
    path = tmp_path / "backstep.toml"
    shutil.copyfile(DOCUMENTED, path)
    path.chmod(0o640)
    return path


def test_the_zone_is_saved_in_the_documented_file_with_its_comments(staff_file: Path) -> None:
    before = staff_file.read_text().splitlines()
    save_zone(staff_file, ZONE)
    after = staff_file.read_text().splitlines()
    # Exactly the four zone lines changed; every comment, blank line and key stays in place.
    changed = [
        line for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]  # fmt: skip
    assert changed == [
        "-x0 = 0.15", "-y0 = 0.0", "-x1 = 0.85", "-y1 = 1.0",
        "+x0 = 0.2", "+y0 = 0.05", "+x1 = 0.812", "+y1 = 0.95",
    ]  # fmt: skip
    assert len(after) == len(before)
    assert [x for x in after if x.startswith("#")] == [x for x in before if x.startswith("#")]
    zone = read_config_file(staff_file).zone
    assert (zone.x0, zone.y0, zone.x1, zone.y1) == (0.2, 0.05, 0.812, 0.95)
    assert staff_file.stat().st_mode & 0o777 == 0o640  # permissions kept
    assert not list(staff_file.parent.glob(".*.part"))


def test_a_partial_file_gets_a_zone_table_and_keeps_inline_comments(tmp_path: Path) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text('# our gym\n[station]\nname = "north" # by the window\n')
    save_zone(path, ZONE)
    text = path.read_text()
    assert text.startswith('# our gym\n[station]\nname = "north" # by the window\n')
    assert "[zone]" in text and read_config_file(path).zone.x1 == 0.812


def test_an_invalid_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text("# staff typo\n[posture]\nforward_warn_deg = 'ten'\n")
    before = path.read_bytes()
    with pytest.raises(ConfigWriteError, match="forward_warn_deg"):
        save_zone(path, ZONE)
    assert path.read_bytes() == before


def test_persist_zone_reports_to_the_staff_screen(staff_file: Path, tmp_path: Path) -> None:
    errors: list[str] = []
    assert persist_zone(staff_file, ZONE, errors.append) == "Zone saved"
    assert errors == [] and "x1 = 0.812" in staff_file.read_text()
    assert last_valid_path().read_text() == staff_file.read_text()  # safe mode knows it too
    assert persist_zone(None, ZONE, errors.append).startswith("Zone applied; no staff file")
    missing = tmp_path / "gone" / "backstep.toml"
    assert persist_zone(missing, ZONE, errors.append) == "Zone applied, NOT saved (see errors)"
    assert errors and str(missing) in errors[0]


def test_the_console_side_read_by_the_check_is_saved_with_the_zone(staff_file: Path) -> None:
    before = staff_file.read_text().splitlines()
    save_zone(staff_file, ZONE, "left")
    after = staff_file.read_text().splitlines()
    assert '-console_side = "auto"' in difflib.unified_diff(before, after, lineterm="", n=0)
    assert len(after) == len(before)  # the key changed in place, its comment above kept
    assert read_config_file(staff_file).safety.console_side == "left"


def test_a_file_without_a_safety_table_gets_one_for_the_console_side(tmp_path: Path) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text('# our gym\n[station]\nname = "north"\n')
    save_zone(path, ZONE, "right")
    assert read_config_file(path).safety.console_side == "right"
    assert path.read_text().startswith('# our gym\n[station]\nname = "north"\n')
