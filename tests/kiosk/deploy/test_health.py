"""The post-switch check: the kiosk proves model, camera frame and pose, not just READY."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support.paths import FIXTURES
from support.rpicam_standin import install_standin

from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig
from kiosk.deploy.health import HEALTH_NAME, Health, main, read_health, verdict
from kiosk.store.connection import resolve_data_dir


@pytest.fixture
def rpicam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in rpicam-vid first on PATH, streaming the side-view walker."""
    install_standin(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setenv("RPICAM_STANDIN_CLIP", str(FIXTURES / "retro_walk_gym.mp4"))


def run_kiosk_for(cfg: BackstepConfig, seconds: float) -> tuple[KioskApp, Health | None]:
    app = KioskApp(cfg, RunOptions(headless=True, seconds=seconds, size=(800, 480)))
    app.run()
    return app, read_health(resolve_data_dir(cfg.storage) / HEALTH_NAME)


def test_verdicts() -> None:
    t0 = 1000.0
    assert verdict(None, t0, True)[0] == "wait"
    old = Health(pid=1, started=t0 - 5, model="ready", model_ready_at=t0, frame_at=t0, pose_at=t0)
    assert verdict(old, t0, True) == ("wait", "the new kiosk has not reported yet")
    up = Health(pid=1, started=t0, model="ready", model_ready_at=t0 + 1, source="rpicam:0")
    assert verdict(up, t0, True) == ("wait", "no camera frame yet")
    up.frame_at = t0 + 2
    assert verdict(up, t0, True)[0] == "wait"
    up.pose_at = t0 + 3
    assert verdict(up, t0, True)[0] == "ok"
    lost = Health(pid=1, started=t0, model="ready", model_ready_at=t0, camera_lost_screen_at=t0)
    assert verdict(lost, t0, need_camera=False)[0] == "ok"
    assert verdict(lost, t0, need_camera=True)[0] == "wait"  # it had a camera before


def test_a_broken_model_sends_ready_but_fails_the_check(tmp_path: Path, rpicam: None) -> None:
    cfg = BackstepConfig()
    cfg.model.path = tmp_path / "no-model.task"
    cfg.camera.source = "rpicam"
    cfg.cues.sound = False
    app, health = run_kiosk_for(cfg, 4.0)
    assert app.ready_sent  # what systemd's start waited for: it says nothing of the model
    assert health is not None and health.frame_at is not None
    state, why = verdict(health, health.started, need_camera=True)
    assert state == "wait" and why.startswith("model")


def test_the_wait_command_fails_after_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / HEALTH_NAME
    path.write_text(json.dumps({"pid": 1, "started": time.time(), "model": "error"}))
    assert main(["wait", str(path), "--since", "0", "--timeout", "0"]) == 1
    path.write_text(
        json.dumps(
            {"pid": 1, "started": time.time(), "model": "ready", "model_ready_at": 1.0,
             "frame_at": 2.0, "pose_at": 3.0}
        )
    )  # fmt: skip
    assert main(["wait", str(path), "--since", "0", "--timeout", "0"]) == 0


@pytest.mark.slow
def test_the_kiosk_proves_model_frame_and_pose_from_the_csi_camera(rpicam: None) -> None:
    cfg = BackstepConfig()
    cfg.camera.source = "rpicam"
    cfg.cues.sound = False
    _app, health = run_kiosk_for(cfg, 20.0)
    assert health is not None
    assert health.source == "rpicam:0"
    state, why = verdict(health, health.started, need_camera=True)
    assert state == "ok", (why, health)
    # what update.sh runs after the switch, on the file the kiosk wrote
    file = resolve_data_dir(cfg.storage) / HEALTH_NAME
    assert main(["wait", str(file), "--since", str(health.started - 1), "--timeout", "0"]) == 0


@pytest.mark.slow
def test_a_station_without_a_camera_passes_on_the_camera_lost_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOCATION_ID", "0123456789abcdef")  # a station: no demo stand-in
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no rpicam-vid
    monkeypatch.setattr("vision.sources.choice._video_devices", lambda: [])
    cfg = BackstepConfig()
    cfg.cues.sound = False
    _app, health = run_kiosk_for(cfg, 12.0)
    assert health is not None and health.frame_at is None
    assert verdict(health, health.started, need_camera=False)[0] == "ok"
    assert verdict(health, health.started, need_camera=True)[0] == "wait"
