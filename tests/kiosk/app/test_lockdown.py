"""Nobody leaves the kiosk: kiosk mode, the PIN lockout, exit statuses, one kiosk per folder."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pygame
import pytest
from support.kiosk_process import KioskProcess, write_config
from support.paths import ROOT

from kiosk.app.lockdown import (
    EXIT_ALREADY_RUNNING,
    EXIT_STAFF_QUIT,
    AlreadyRunningError,
    InstanceLock,
)
from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig
from kiosk.flow.effects import QuitKiosk
from kiosk.flow.machine import STAFF_MENU, KioskController, Screen
from kiosk.flow.staff_menu import PIN_FIRST_LOCK_S, PIN_FREE_TRIES

# ------------------------------------------------------------------------ the PIN lockout


def enter_pin(c: KioskController, pin: str, now: float) -> None:
    for digit in pin:
        for _ in range(int(digit)):
            c.on_button("up", "press", now)
        c.on_button("select", "press", now)


def test_wrong_pins_lock_the_entry_for_a_growing_time_and_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    c = KioskController(staff_pin="1000", checkin_enabled=False)
    c.on_button("select", "hold", 0.0)
    assert c.screen is Screen.STAFF
    with caplog.at_level(logging.WARNING, logger="kiosk.flow.staff_menu"):
        for i in range(PIN_FREE_TRIES):
            enter_pin(c, "2000", float(i))
    assert not c.staff.unlocked
    assert c.pin_guard.locked_for(3.0) == pytest.approx(PIN_FIRST_LOCK_S - 1.0)
    assert "wait 30 s" in c.staff.message
    assert "locked for 30 s" in caplog.records[-1].getMessage()
    assert sum("wrong staff PIN" in r.getMessage() for r in caplog.records) == PIN_FREE_TRIES
    # while locked, even the right PIN is not taken
    enter_pin(c, "1000", 10.0)
    assert not c.staff.unlocked
    assert "wait" in c.staff.message
    # leaving and coming back does not reset the lockout
    c.on_button("stop", "press", 11.0)
    c.on_button("select", "hold", 12.0)
    enter_pin(c, "1000", 13.0)
    assert not c.staff.unlocked
    # after the lockout, one more wrong PIN doubles it
    t = 2.0 + PIN_FIRST_LOCK_S + 1.0
    enter_pin(c, "3000", t)
    assert c.pin_guard.locked_for(t) == pytest.approx(2 * PIN_FIRST_LOCK_S)
    t += 2 * PIN_FIRST_LOCK_S + 1.0
    enter_pin(c, "1000", t)
    assert c.staff.unlocked
    assert c.pin_guard.failures == 0


def test_quit_kiosk_is_a_staff_menu_item_behind_the_pin() -> None:
    c = KioskController(staff_pin="1000", checkin_enabled=False)
    c.on_button("select", "hold", 0.0)
    enter_pin(c, "1000", 1.0)
    assert c.staff.unlocked
    for _ in range(STAFF_MENU.index("Quit kiosk")):
        c.on_button("down", "press", 2.0)
    assert c.on_button("select", "press", 2.0) == [QuitKiosk()]


# ------------------------------------------------------------- Ctrl+Q in the real app loop


def ctrl_q(_app: KioskApp) -> None:
    pygame.event.post(
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL, unicode="")
    )


def app_config(tmp_path: Path, kiosk_mode: bool) -> BackstepConfig:
    cfg = BackstepConfig()
    cfg.model.path = tmp_path / "no-model.task"  # the loop runs; no inference needed here
    cfg.cues.sound = False
    cfg.staff.kiosk_mode = kiosk_mode
    return cfg


@pytest.mark.parametrize("kiosk_mode", [False, True])
@pytest.mark.slow
def test_ctrl_q_quits_only_outside_kiosk_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kiosk_mode: bool
) -> None:
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    app = KioskApp(
        app_config(tmp_path, kiosk_mode),
        RunOptions(
            source="demo", headless=True, seconds=4.0, size=(800, 480), script=[(1.0, ctrl_q)]
        ),
    )
    start = time.monotonic()
    summary = app.run()
    if kiosk_mode:
        assert summary["exit"] == "seconds"
        assert time.monotonic() - start >= 4.0
    else:
        assert summary["exit"] == "quit"
        assert time.monotonic() - start < 3.9


@pytest.mark.slow
def test_under_systemd_ctrl_q_does_not_quit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOCATION_ID", "0123456789abcdef")
    app = KioskApp(
        app_config(tmp_path, kiosk_mode=False),
        RunOptions(
            source="demo", headless=True, seconds=3.0, size=(800, 480), script=[(1.0, ctrl_q)]
        ),
    )
    assert app.locked
    assert app.run()["exit"] == "seconds"


def test_the_staff_screen_warns_about_the_default_pin(tmp_path: Path) -> None:
    cfg = app_config(tmp_path, kiosk_mode=False)
    app = KioskApp(cfg, RunOptions(source="demo", headless=True, seconds=0.5, size=(800, 480)))
    try:
        assert any("default" in w and "staff.pin" in w for w in app.warnings())
        cfg.staff.pin = "97531"
        assert app.warnings() == []
    finally:
        app.close()


def test_the_unit_does_not_restart_only_the_staff_quit_status() -> None:
    unit = (ROOT / "systemd" / "backstep.service").read_text()
    assert "\nRestart=always\n" in unit
    assert f"\nRestartPreventExitStatus={EXIT_STAFF_QUIT}\n" in unit


# ------------------------------------------------------------------ the single-instance lock


def test_the_lock_is_exclusive_and_names_the_holder(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunningError, match=r"pid \d+.*BACKSTEP_DATA_DIR"):
            InstanceLock(tmp_path).acquire()
    finally:
        first.release()
    again = InstanceLock(tmp_path)
    again.acquire()
    again.release()


# ------------------------------------------------------------------- the real kiosk process


@pytest.mark.slow
def test_a_second_kiosk_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    data = tmp_path / "data"
    first = KioskProcess(config, data, "--seconds", "60", source="demo")
    try:
        first.wait_for("frame source", timeout=90)
        second = KioskProcess(config, data, "--seconds", "20", source="demo")
        try:
            status = second.finish(timeout=60)
        finally:
            second.kill()
        assert status == EXIT_ALREADY_RUNNING
        assert "already using the data folder" in "\n".join(second.log)
        assert first.proc.poll() is None  # the first one keeps running
        first.signal()
        assert first.finish() == 0
    finally:
        first.kill()


@pytest.mark.slow
def test_staff_quit_under_systemd_exits_with_the_status_systemd_does_not_restart(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    # Ctrl+Q cannot be typed into a headless child; the staff route: hold select, PIN 1000,
    # down to "Quit kiosk", select
    quit_at = STAFF_MENU.index("Quit kiosk")
    presses = ["2:select/hold", "3:up", "3.3:select", "3.6:select", "3.9:select", "4.2:select"]
    presses += [f"{4.5 + 0.3 * i:.1f}:down" for i in range(quit_at)]
    presses.append(f"{4.6 + 0.3 * quit_at:.1f}:select")
    kiosk = KioskProcess(
        config,
        tmp_path / "data",
        "--seconds",
        "60",
        "--press",
        ",".join(presses),
        source="demo",
        env={"INVOCATION_ID": "0123456789abcdef"},
    )
    try:
        status = kiosk.finish(timeout=90)
    finally:
        kiosk.kill()
    assert status == EXIT_STAFF_QUIT, kiosk.tail()
    assert kiosk.summary()["exit"] == "staff"
    assert "staff quit the kiosk" in "\n".join(kiosk.log)


def session_statuses(data: Path) -> list[str]:
    conn = sqlite3.connect(data / "backstep.sqlite3")
    try:
        return [r[0] for r in conn.execute("SELECT status FROM sessions ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize("sig_name", ["SIGTERM", "SIGINT"])
@pytest.mark.slow
def test_a_signal_mid_session_stores_it_as_interrupted_and_prints_the_summary(
    tmp_path: Path, sig_name: str
) -> None:
    import signal

    config = write_config(tmp_path)
    data = tmp_path / "data"
    kiosk = KioskProcess(config, data, "--seconds", "300", "--press", "1:start")
    try:
        kiosk.wait_for("-> session", timeout=150)
        time.sleep(2.0)
        kiosk.signal(getattr(signal, sig_name))
        status = kiosk.finish(timeout=60)
    finally:
        kiosk.kill()
    assert status == 0, kiosk.tail()
    summary = kiosk.summary()  # Ctrl-C (SIGINT) prints the JSON line too
    assert summary["exit"] == "signal"
    assert "session" in summary["states_seen"]
    assert session_statuses(data) == ["interrupted"]


def pin_presses(start: float, pin: str) -> tuple[list[str], float]:
    """Scripted presses entering ``pin`` with the buttons from ``start``; and the next time."""
    out, t = [], start
    for digit in pin:
        for _ in range(int(digit)):
            out.append(f"{t:.1f}:up")
            t += 0.3
        out.append(f"{t:.1f}:select")
        t += 0.3
    return out, t


@pytest.mark.slow
def test_the_pin_lockout_survives_a_restart_and_tries_while_locked_are_logged(
    tmp_path: Path,
) -> None:
    config, data = write_config(tmp_path), tmp_path / "data"
    presses, t = ["2:select/hold"], 3.0
    for _ in range(PIN_FREE_TRIES):
        more, t = pin_presses(t, "2000")
        presses += more
    first = KioskProcess(
        config, data, "--seconds", f"{t + 2:.0f}", "--press", ",".join(presses), source="demo"
    )
    try:
        assert first.finish(timeout=120) == 0, first.tail()
    finally:
        first.kill()
    assert "PIN entry locked for 30 s" in "\n".join(first.log)
    # the plug is pulled and the station restarts: the right PIN, then "Quit kiosk"
    presses, t = pin_presses(3.0, "1000")
    quit_at = STAFF_MENU.index("Quit kiosk")
    presses = ["2:select/hold", *presses]
    presses += [f"{t + 0.3 * i:.1f}:down" for i in range(quit_at)]
    presses.append(f"{t + 0.3 * quit_at + 0.1:.1f}:select")
    second = KioskProcess(
        config,
        data,
        "--seconds",
        f"{t + 4:.0f}",
        "--press",
        ",".join(presses),
        source="demo",
        env={"INVOCATION_ID": "0123456789abcdef"},
    )
    try:
        status = second.finish(timeout=120)
    finally:
        second.kill()
    log = "\n".join(second.log)
    assert status == 0 and second.summary()["exit"] == "seconds", second.tail()  # not quit
    assert "lockout kept from before the restart: 3 wrong" in log
    assert "PIN try while locked" in log
