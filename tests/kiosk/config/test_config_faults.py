"""Bad staff files met for real: empty, whitespace, a FIFO, a huge file; guarded changes told."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from support.kiosk_process import KioskProcess, write_config

from kiosk.config.loader import ConfigFileError, read_config_file
from kiosk.config.reload import ConfigReloader
from kiosk.config.safe import ConfigMode, last_valid_path, load_config_safe

STAFF = '[staff]\npin = "4321"\nkiosk_mode = true\n\n[cues]\nsound = false\n'


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("BACKSTEP_STATE_DIR", str(folder))
    return folder


@pytest.mark.parametrize("text", ["", "   \n\t\n  \n"])
def test_an_empty_or_blank_file_is_an_error_naming_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text(text)
    with pytest.raises(ConfigFileError) as caught:
        read_config_file(path)
    assert "empty" in str(caught.value) and str(path) in str(caught.value)


def test_an_emptied_file_is_never_kept_as_the_last_valid_one(tmp_path: Path, state: Path) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text(STAFF)
    assert load_config_safe(path).config.staff.pin == "4321"  # kept as the last valid copy
    path.write_text("\n")  # a truncated save, a full disk
    loaded = load_config_safe(path)
    assert loaded.mode is ConfigMode.LAST_VALID
    assert loaded.config.staff.pin == "4321" and loaded.config.staff.kiosk_mode
    assert last_valid_path().read_text() == STAFF


def test_a_reload_of_an_empty_file_keeps_the_pin_and_one_changing_it_warns(
    tmp_path: Path, state: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text(STAFF)
    reloader = ConfigReloader(path, read_config_file(path), install_signal=False)
    path.write_text("")
    reloader.request()
    outcome = reloader.wait()
    assert outcome is not None and not outcome.ok and "empty" in outcome.errors[0]
    assert reloader.current.staff.pin == "4321"
    path.write_text(STAFF.replace("4321", "9999").replace("true", "false"))
    reloader.request()
    with caplog.at_level(logging.WARNING):
        outcome = reloader.wait()
    assert outcome is not None and outcome.ok
    assert outcome.warnings == [
        "the staff PIN was changed by a config reload",
        "kiosk mode was changed by a config reload",
    ]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("staff PIN was changed" in m for m in warned), warned


def test_a_fifo_at_the_config_path_never_blocks_the_caller(tmp_path: Path, state: Path) -> None:
    path = tmp_path / "backstep.toml"
    path.write_text(STAFF)
    reloader = ConfigReloader(path, read_config_file(path), install_signal=False)
    path.unlink()
    os.mkfifo(path)  # nobody ever writes into it
    reloader.request()
    polled = threading.Event()

    def poll() -> None:
        reloader.poll()
        polled.set()

    threading.Thread(target=poll, daemon=True).start()
    assert polled.wait(2.0), "poll() blocked on the FIFO (the UI loop would freeze)"
    outcome = reloader.wait(5.0)
    assert outcome is not None and not outcome.ok
    assert "not a regular file" in outcome.errors[0]


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "backstep.toml"
    with open(path, "wb") as fh:
        fh.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    started = time.monotonic()
    with pytest.raises(ConfigFileError) as caught:
        read_config_file(path)
    assert "too large" in str(caught.value)
    assert time.monotonic() - started < 0.5


@pytest.mark.slow
def test_the_running_kiosk_rejects_an_empty_file_warns_on_a_pin_change_and_survives_a_fifo(
    tmp_path: Path, state: Path
) -> None:
    config = write_config(tmp_path)
    kiosk = KioskProcess(config, tmp_path / "data", "--seconds", "300", source="demo")
    try:
        kiosk.wait_for("frame source", timeout=120)
        config.write_text("  \n")
        kiosk.signal(signal.SIGHUP)
        line = kiosk.wait_for("config reload rejected", timeout=30)
        assert "empty" in line and str(config) in line
        write_config(tmp_path)
        config.write_text(config.read_text().replace('pin = "1000"', 'pin = "2222"'))
        kiosk.signal(signal.SIGHUP)
        assert "WARNING" in kiosk.wait_for("staff PIN was changed", timeout=30)
        config.unlink()
        os.mkfifo(config)  # nobody writes into it: a blocking read would hang the loop
        kiosk.signal(signal.SIGHUP)
        kiosk.wait_for("not a regular file", timeout=30)
        stopped = time.monotonic()
        kiosk.signal(signal.SIGTERM)
        status = kiosk.finish(timeout=60)
        took = time.monotonic() - stopped
    finally:
        kiosk.kill()
    print(f"\nFIGURE fifo config: SIGTERM honoured in {took:.1f} s")
    assert status == 0
    assert kiosk.summary()["exit"] == "signal"
    assert took < 20
