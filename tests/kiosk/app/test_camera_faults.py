"""The camera on a station: no demo stand-in under systemd, DEMO labelled, lost-camera timeout."""

from __future__ import annotations

import glob
import sqlite3
import time
from pathlib import Path

import pygame
import pytest
from support.paths import FIXTURES

from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig
from kiosk.flow.effects import BeginSession, EndSession
from kiosk.flow.machine import KioskController, Screen
from kiosk.flow.types import FlowTimings, VisionSnapshot
from kiosk.ui import theme as th
from vision.sources import choice
from vision.sources.video import VideoFileSource

CLIP = FIXTURES / "single_person_front.mp4"
no_camera = pytest.mark.skipif(bool(glob.glob("/dev/video*")), reason="this machine has a camera")


def app_config(tmp_path: Path) -> BackstepConfig:
    cfg = BackstepConfig()
    cfg.model.path = tmp_path / "no-model.task"  # capture and screens only
    cfg.cues.sound = False
    cfg.camera.reconnect_min_s = 0.2
    cfg.camera.reconnect_max_s = 1.0
    return cfg


@no_camera
@pytest.mark.slow
def test_on_a_station_a_missing_camera_is_camera_lost_and_a_late_camera_is_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOCATION_ID", "0123456789abcdef")
    seen: dict[str, object] = {}

    def look(app: KioskApp) -> None:
        seen["screen"] = app.controller.screen
        seen["warnings"] = app.warnings()
        seen["demo"] = app.is_demo

    def plug_in(_app: KioskApp) -> None:
        # the hardware is absent here: "plugging in" makes the camera probe find a
        # camera-like live source (real frames from the fixture clip)
        def camera(cfg: object, kind: str) -> VideoFileSource:
            source = VideoFileSource(CLIP, realtime=True, loop=True, name="usb:0")
            source.open()
            return source

        monkeypatch.setattr(choice, "_open_camera", camera)

    def look_again(app: KioskApp) -> None:
        seen["screen_after"] = app.controller.screen
        seen["warnings_after"] = app.warnings()

    app = KioskApp(
        app_config(tmp_path),
        RunOptions(
            headless=True,
            seconds=9.0,
            size=(800, 480),
            script=[(2.5, look), (3.0, plug_in), (8.5, look_again)],
        ),
    )
    summary = app.run()
    assert seen["screen"] is Screen.CAMERA_LOST
    assert seen["demo"] is False
    warnings = seen["warnings"]
    assert isinstance(warnings, list)
    assert any(w.startswith("camera:") and "plug one in" in w for w in warnings), warnings
    assert seen["screen_after"] is Screen.IDLE  # picked up without a restart
    assert not any(str(w).startswith("camera:") for w in seen["warnings_after"])  # type: ignore[attr-defined]
    assert "camera_lost" in summary["states_seen"]


@no_camera
@pytest.mark.slow
def test_off_station_the_demo_is_labelled_on_every_screen_and_nothing_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    seen: dict[str, object] = {}

    def begin(app: KioskApp) -> None:
        app.effects.apply([BeginSession("none")], time.monotonic())  # what START on Baseline does
        seen["recorder"] = app.session.recorder if app.session is not None else "no session"
        seen["demo"] = app.is_demo

    def badge_pixel(app: KioskApp) -> None:
        top = app.theme.layout.body()[1]
        seen["pixel"] = tuple(app.screen_surf.get_at((4, top + 10)))[:3]
        seen["warnings"] = app.warnings()

    app = KioskApp(
        app_config(tmp_path),
        RunOptions(
            headless=True, seconds=5.0, size=(800, 480), script=[(3.0, begin), (4.0, badge_pixel)]
        ),
    )
    app.run()
    assert seen["demo"] is True
    assert seen["recorder"] is None
    assert seen["pixel"] == th.INFO  # the DEMO pill in the corner, drawn over the screen
    assert any("DEMO" in w for w in seen["warnings"])  # type: ignore[attr-defined]
    conn = sqlite3.connect(data_dir / "backstep.sqlite3")
    try:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    finally:
        conn.close()


def test_the_demo_badge_reads_demo(tmp_path: Path) -> None:
    from kiosk.app.badges import draw_badges
    from kiosk.ui.theme import Theme

    pygame.init()
    surf = pygame.Surface((800, 480))
    theme = Theme(800, 480)
    draw_badges(surf, theme, [("DEMO", th.INFO), ("NOT SAVING", th.CAUTION)])
    assert tuple(surf.get_at((4, theme.layout.body()[1] + 10)))[:3] == th.INFO
    pygame.image.save(surf, str(tmp_path / "badges.png"))


def test_a_session_on_the_camera_lost_screen_ends_as_interrupted_after_the_timeout() -> None:
    c = KioskController(checkin_enabled=False, timings=FlowTimings(camera_lost_end_s=60.0))
    ok = VisionSnapshot(camera="ok", person=True, whole_body=True, in_zone=True)
    c.on_vision(ok, 0.0)
    c.on_button("start", "press", 0.0)  # idle -> position
    c.on_button("start", "press", 1.0)  # position -> baseline
    c.on_button("start", "press", 2.0)  # baseline -> session (absolute limits)
    assert c.screen is Screen.SESSION
    c.on_vision(VisionSnapshot(camera="lost"), 10.0)
    assert c.screen is Screen.CAMERA_LOST
    assert c.tick(69.0) == []
    assert c.tick(70.5) == [EndSession("interrupted")]
    assert not c.is_session_active
    assert c.screen is Screen.SUMMARY
    # the camera coming back does not resume a session that has ended
    c.on_vision(ok, 71.0)
    assert c.screen is not Screen.SESSION


def test_without_a_database_the_member_sees_not_saving_and_staff_see_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("BACKSTEP_DATA_DIR", str(blocker))
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    seen: dict[str, object] = {}

    def look(app: KioskApp) -> None:
        seen["badges"] = [text for text, _ in app.badges()]
        seen["warnings"] = app.warnings()

    cfg = app_config(tmp_path)
    app = KioskApp(
        cfg,
        RunOptions(
            source=str(CLIP), headless=True, seconds=2.0, size=(800, 480), script=[(1.5, look)]
        ),
    )
    summary = app.run()
    assert seen["badges"] == ["NOT SAVING"]
    assert any(str(w).startswith("not saving: no database") for w in seen["warnings"])  # type: ignore[attr-defined]
    assert summary["saving"] is False
