"""Config reload: SIGHUP re-reads the file; an invalid file keeps the running config."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support.paths import ROOT

from kiosk.config.loader import read_config_file
from kiosk.config.reload import (
    LIVE_SECTIONS,
    RESTART_SECTIONS,
    ConfigReloader,
    changed_settings,
    live_sections_changed,
    needs_restart,
)
from kiosk.config.schema import BackstepConfig

# The loop the kiosk runs, reduced to the reloader: poll once per "frame", report outcomes.
LOOP = textwrap.dedent(
    """
    import json, sys, time
    from kiosk.config.loader import read_config_file
    from kiosk.config.reload import ConfigReloader

    path = sys.argv[1]
    reloader = ConfigReloader(path, read_config_file(path))
    print(json.dumps({"started": reloader.current.cues.cooldown_s}), flush=True)
    while True:
        outcome = reloader.poll()
        if outcome is not None:
            print(json.dumps({
                "ok": outcome.ok,
                "changed": outcome.changed,
                "restart_needed": outcome.restart_needed,
                "errors": outcome.errors,
                "cooldown_s": reloader.current.cues.cooldown_s,
                "width": reloader.current.camera.width,
            }), flush=True)
        time.sleep(0.01)
    """
)


class LoopProcess:
    """The reload loop in a child process, read line by line."""

    def __init__(self, config: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LOOP, str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        # A hang guard, not a timing assertion: a broken reloader must fail, not block CI.
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        assert ready, "the reload loop printed nothing"
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read() if self.proc.stderr else "no output"
        result: dict[str, Any] = json.loads(line)
        return result

    def hup(self) -> None:
        self.proc.send_signal(signal.SIGHUP)

    def close(self) -> str:
        self.proc.kill()
        _, err = self.proc.communicate(timeout=30)
        return err


def test_sighup_applies_a_valid_file_and_keeps_the_config_when_the_file_is_invalid(
    tmp_path: Path,
) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text("[cues]\ncooldown_s = 10\n")
    loop = LoopProcess(config)
    try:
        assert loop.read() == {"started": 10.0}

        config.write_text("[cues]\ncooldown_s = 20\n[camera]\nwidth = 1280\n")
        loop.hup()
        outcome = loop.read()
        assert outcome["ok"] is True
        assert outcome["changed"] == ["camera.width", "cues.cooldown_s"]
        assert outcome["restart_needed"] == ["camera.width"]
        assert (outcome["cooldown_s"], outcome["width"]) == (20.0, 1280)

        config.write_text("[cues]\ncooldown_s = 30\n[gpio]\nstart = 4\nstop = 4\n")
        loop.hup()
        outcome = loop.read()
        assert outcome["ok"] is False
        assert outcome["errors"] == [f"{config}:5: gpio.stop = 4: GPIO4 is used twice: "
                                     "by 'start' and by 'stop' "
                                     '(allowed: an integer from 0 to 27, or "off")']  # fmt: skip
        assert (outcome["cooldown_s"], outcome["width"]) == (20.0, 1280)

        config.write_text("[cues]\ncooldown_s = 30\n[camera]\nwidth = 1280\n")
        loop.hup()
        outcome = loop.read()
        assert (outcome["ok"], outcome["changed"], outcome["restart_needed"]) == (
            True,
            ["cues.cooldown_s"],
            [],
        )
    finally:
        stderr = loop.close()
    # The log says what was rejected and what waits for a restart.
    assert "config reload rejected" in stderr
    assert "take effect after `systemctl restart backstep`: camera.width" in stderr


def test_poll_does_nothing_until_a_reload_is_requested(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text("[cues]\ncooldown_s = 10\n")
    reloader = ConfigReloader(config, read_config_file(config), install_signal=False)
    config.write_text("[cues]\ncooldown_s = 12\n")
    assert reloader.poll() is None
    reloader.request()
    assert reloader.is_pending
    outcome = reloader.wait()
    assert outcome is not None and outcome.ok and outcome.changed == ["cues.cooldown_s"]
    assert reloader.current.cues.cooldown_s == 12
    assert reloader.poll() is None


def test_a_deleted_file_is_reported_and_the_running_config_kept(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text("[cues]\ncooldown_s = 10\n")
    running = read_config_file(config)
    reloader = ConfigReloader(config, running, install_signal=False)
    config.unlink()
    reloader.request()
    outcome = reloader.wait()
    assert outcome is not None and not outcome.ok
    assert outcome.config is running and "cannot read" in outcome.errors[0]


def test_close_restores_the_previous_sighup_handler(tmp_path: Path) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text("")
    before = signal.getsignal(signal.SIGHUP)
    reloader = ConfigReloader(config, BackstepConfig())
    assert signal.getsignal(signal.SIGHUP) != before
    os.kill(os.getpid(), signal.SIGHUP)  # handled by the reloader: only sets its flag
    assert reloader.is_pending
    reloader.close()
    reloader.close()
    assert signal.getsignal(signal.SIGHUP) == before


@pytest.mark.parametrize(
    ("key", "restart"),
    [
        ("camera.device", True),
        ("camera.mirror", False),
        ("camera.view", False),
        ("camera.rotation", True),
        ("camera.reconnect_max_s", True),
        ("model.variant", True),
        ("display.fullscreen", True),
        ("gpio.stop", True),
        ("posture.forward_warn_deg", False),
        ("cues.cooldown_s", False),
    ],
)
def test_settings_read_at_start_up_need_a_restart(key: str, restart: bool) -> None:
    assert needs_restart(key) is restart


def test_changed_settings_lists_a_changed_program_once() -> None:
    old = BackstepConfig()
    blocks = [b.model_copy(update={"minutes": 9}) for b in old.programs["starter"]]
    new = old.model_copy(update={"programs": {"starter": blocks}})
    assert changed_settings(old, new) == ["programs.starter"]


def test_every_section_is_either_applied_live_or_needs_a_restart() -> None:
    sections = set(BackstepConfig.model_fields)
    live = set(LIVE_SECTIONS)
    assert len(live) == len(LIVE_SECTIONS)
    assert live | RESTART_SECTIONS == sections
    assert live & RESTART_SECTIONS == set()


@pytest.mark.parametrize(
    ("key", "restart"),
    [
        ("storage.data_dir", True),
        ("storage.retention_days", True),
        ("station.id", True),
        ("safety.drift_warn", False),
        ("zone.x0", False),
        ("smoothing.min_cutoff", False),
        ("treadmill.device", False),  # the station restarts the links itself (issue 27)
        ("heart_rate.enabled", False),
    ],
)
def test_restart_keys_and_live_sections_agree(key: str, restart: bool) -> None:
    assert needs_restart(key) is restart
    assert (key.split(".")[0] in LIVE_SECTIONS) is not restart


def test_live_sections_changed_names_each_section_once_in_order() -> None:
    changed = ["cues.cooldown_s", "posture.persist_s", "posture.forward_warn_deg", "camera.fps"]
    assert live_sections_changed(changed) == ["posture", "cues"]


KIOSK_CONFIG = """
[model]
path = "{model}"

[storage]
data_dir = "{data}"

[cues]
sound = false

[posture]
forward_warn_deg = {forward}

[camera]
width = {width}
"""


class _Lines:
    """Collects a child's stderr lines in a thread, so the test can wait for one."""

    def __init__(self, stream: Any) -> None:
        import queue
        import threading

        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, *needles: str, timeout: float = 90.0) -> str:
        import queue
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if all(n in line for n in needles):
                return line
        raise AssertionError(f"no line with {needles}; saw:\n" + "\n".join(self.seen[-40:]))


@pytest.mark.slow
def test_the_real_kiosk_applies_a_reload_reports_errors_and_restart_needed(
    tmp_path: Path, model_path: Path
) -> None:
    cfg_file = tmp_path / "backstep.toml"

    def write(forward: object, width: int = 640) -> None:
        cfg_file.write_text(
            KIOSK_CONFIG.format(
                model=model_path, data=tmp_path / "data", forward=forward, width=width
            )
        )

    write(10.0)
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("NOTIFY_SOCKET", None)
    run = ["run", "--headless", "--config", str(cfg_file), "--source", "demo", "--seconds", "240"]
    child = subprocess.Popen(
        [sys.executable, "-c", "from kiosk.cli import main; main()", *run],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert child.stderr is not None
        log = _Lines(child.stderr)
        log.wait_for("camera and model up")

        write(14.5)  # a valid posture change
        child.send_signal(signal.SIGHUP)
        log.wait_for("config reloaded: applied posture")
        # the inference thread's analyzer now uses it (logged from that thread)
        log.wait_for("vision config applied", "forward_warn_deg 14.5")

        write('"steep"')  # invalid: the key and its line are named, the old config stays
        child.send_signal(signal.SIGHUP)
        error = log.wait_for("config reload:", "forward_warn_deg")
        assert "backstep.toml:12:" in error, error  # the key is on line 12 of the file
        assert child.poll() is None  # still running, on the old config

        write(14.5, width=320)  # a camera change only takes effect after a restart
        child.send_signal(signal.SIGHUP)
        log.wait_for("restart needed", "camera.width")
        assert child.poll() is None
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)
