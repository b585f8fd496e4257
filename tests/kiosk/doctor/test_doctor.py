"""backstep doctor on this machine: no camera (demo fallback), no GPIO, and problems it reports."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import ROOT

from kiosk.cli import main
from kiosk.config.schema import BackstepConfig
from kiosk.doctor import checks as doctor
from kiosk.doctor.checks import check_data_dir, check_disk, exit_code, format_table
from kiosk.doctor.probes import (
    CheckResult,
    ProbeTimeout,
    check_camera,
    check_display,
    check_gpio,
    run_with_timeout,
)

# these tests point storage.data_dir at tmp folders themselves
pytestmark = pytest.mark.config_data_dir

no_camera = pytest.mark.skipif(bool(glob.glob("/dev/video*")), reason="this machine has a camera")
no_gpio = pytest.mark.skipif(bool(glob.glob("/dev/gpiochip*")), reason="this machine has GPIO")


def config_with(**sections: dict[str, object]) -> BackstepConfig:
    return BackstepConfig.model_validate(sections)


def rows(output: str) -> dict[str, str]:
    """check name -> its table line."""
    names = ("config", "camera", "model", "gpio", "display", "data dir", "disk")
    return {n: line for line in output.splitlines() for n in names if line.startswith(n + " ")}


@no_camera
def test_doctor_on_this_machine_reports_no_camera_and_the_demo_fallback(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    result = CliRunner().invoke(main, ["doctor", "--config", str(config)])
    table = rows(result.output)
    assert set(table) == {"config", "camera", "model", "gpio", "display", "data dir", "disk"}
    assert "WARN" in table["camera"] and "no camera found" in table["camera"]
    assert "demo clip plays instead" in table["camera"]
    assert "WARN" in table["config"] and "staff.pin is the default" in table["config"]
    assert str(config) in table["config"]
    assert "OK" in table["data dir"]
    # Warnings never block a session; only FAIL rows set the exit status.
    blocking = [name for name, line in table.items() if "FAIL" in line]
    assert result.exit_code == (1 if blocking else 0), result.output


def test_a_changed_staff_pin_makes_the_config_row_ok(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text('[staff]\npin = "73915"\n')
    result, cfg = doctor.check_config(config)
    assert (result.status, cfg.staff.pin) == ("ok", "73915")


@no_camera
def test_a_camera_source_that_needs_a_camera_fails_and_blocks(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text('[camera]\nsource = "usb"\n')
    result = CliRunner().invoke(main, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    line = rows(result.output)["camera"]
    assert "FAIL" in line and "camera.source = 'usb' needs one" in line
    assert "fix: connect a USB camera" in result.output


@no_camera
def test_camera_check_follows_camera_source() -> None:
    assert check_camera(config_with(camera={"source": "auto"})).status == "warn"
    assert check_camera(config_with(camera={"source": "usb"})).status == "fail"
    assert check_camera(config_with(camera={"source": "demo"})).status == "ok"
    clip = str(ROOT / "tests" / "fixtures" / "two_people.mp4")
    assert check_camera(config_with(camera={"source": "file", "file": clip})).status == "ok"
    missing = config_with(camera={"source": "file", "file": "/nonexistent.mp4"})
    assert check_camera(missing).status == "fail"


def test_an_invalid_config_is_a_blocking_failure_and_the_other_checks_still_run(
    tmp_path: Path,
) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text("[gpio]\nstart = 5\nstop = 5\n")
    result = CliRunner().invoke(main, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    table = rows(result.output)
    assert "FAIL" in table["config"] and f"{config}:3: gpio.stop = 5" in table["config"]
    assert {"camera", "model", "gpio", "display", "data dir", "disk"} <= set(table)


@no_gpio
def test_gpio_without_a_pin_library_warns_for_auto_and_fails_when_named() -> None:
    assert check_gpio(config_with(gpio={"pin_factory": "auto"})).status == "warn"
    assert check_gpio(config_with(gpio={"pin_factory": "lgpio"})).status == "fail"
    assert check_gpio(config_with(gpio={"pin_factory": "none"})).status == "ok"


def test_a_headless_display_driver_is_fine() -> None:
    assert check_display(config_with(display={"driver": "dummy"})).status == "ok"


@pytest.mark.skipif(
    os.path.exists("/dev/dri") or bool(os.environ.get("DISPLAY")), reason="a display exists"
)
def test_no_display_warns_for_auto_and_fails_for_kmsdrm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    auto = check_display(config_with(display={"driver": "auto"}))
    assert auto.status == "warn" and "headless" in auto.detail
    assert check_display(config_with(display={"driver": "kmsdrm"})).status == "fail"


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory another user can enter (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="backstep-doctor-"))
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        if sub.is_dir():
            sub.chmod(0o755)
    shutil.rmtree(path)


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Root writes to a 0555 directory regardless: check as an ordinary user (uid 65534)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def test_a_read_only_data_dir_is_reported(
    shared_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = shared_tmp / "data"
    data.mkdir()
    data.chmod(0o555)
    config = shared_tmp / "backstep.toml"
    config.write_text(
        f'[storage]\ndata_dir = "{data}"\n[camera]\nsource = "demo"\n'
        '[gpio]\npin_factory = "none"\n[display]\ndriver = "dummy"\n'
    )
    config.chmod(0o644)
    monkeypatch.setenv("BACKSTEP_CACHE_DIR", str(shared_tmp / "cache"))
    with unprivileged():
        result = CliRunner().invoke(main, ["doctor", "--config", str(config)])
    line = rows(result.output)["data dir"]
    assert "FAIL" in line and f"{data} is not writable" in line, result.output
    assert "fix: set storage.data_dir, or give the kiosk's user write access" in result.output
    assert result.exit_code == 1


def test_a_data_dir_still_to_be_created_is_checked_in_its_parent(tmp_path: Path) -> None:
    result = check_data_dir(tmp_path / "new" / "data")
    assert result.status == "ok" and f"will be created in {tmp_path}" in result.detail
    assert not (tmp_path / "new").exists()


def test_an_existing_database_is_health_checked(tmp_path: Path) -> None:
    from kiosk.store.database import DB_NAME, Store

    cfg = config_with(storage={"data_dir": str(tmp_path)})
    Store(tmp_path / DB_NAME).close()
    healthy = check_data_dir(tmp_path, cfg)
    assert healthy.status == "ok" and "database healthy" in healthy.detail
    (tmp_path / DB_NAME).write_bytes(b"this is not a database" * 100)
    broken = check_data_dir(tmp_path, cfg)
    assert broken.status == "fail" and "database" in broken.detail


def test_a_data_dir_under_a_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert check_data_dir(tmp_path / "file" / "data").status == "fail"


def test_low_disk_space_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_disk(tmp_path).status in ("ok", "warn")
    free = shutil.disk_usage(tmp_path).free
    monkeypatch.setattr(doctor, "DISK_FAIL_BYTES", free + 1)
    assert check_disk(tmp_path).status == "fail"


def test_a_probe_that_hangs_is_cut_off() -> None:
    release = threading.Event()
    with pytest.raises(ProbeTimeout):
        run_with_timeout(release.wait, 0.05)
    release.set()


def test_the_table_shows_a_fix_under_each_problem_and_the_exit_code_follows_failures() -> None:
    results = [
        CheckResult("camera", "warn", "no camera found", "connect one"),
        CheckResult("model", "ok", "cached", "never shown"),
    ]
    table = format_table(results)
    assert "fix: connect one" in table and "never shown" not in table
    assert exit_code(results) == 0
    results.append(CheckResult("disk", "fail", "full", "free space"))
    assert exit_code(results) == 1
    assert "1 problem(s) block a session" in format_table(results)


def test_the_clock_check_warns_until_the_clock_is_synchronised() -> None:
    from kiosk.doctor.clock import check_clock, clock_synchronized

    assert check_clock(False).status == "warn" and "NOT synchronised" in check_clock(False).detail
    assert "timedatectl" in check_clock(False).fix
    assert check_clock(True).status == "ok"
    assert check_clock(None, probe=False).status == "warn"
    # This machine answers one way or the other without crashing; doctor lists it.
    assert clock_synchronized() in (True, False, None)
    assert any(r.name == "clock" for r in doctor.run_checks(ROOT / "config" / "backstep.toml"))
