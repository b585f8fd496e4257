"""Start-up faults: a broken model still reports READY once the screens show; staff read why."""

from __future__ import annotations

import socket
import tempfile
import time
from pathlib import Path

import pygame
import pytest
from support.paths import FIXTURES

from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import Screen
from kiosk.ui.screens.staff import wrap_text

CLIP = FIXTURES / "single_person_front.mp4"


@pytest.mark.slow
def test_a_broken_model_still_sends_ready_and_staff_read_the_whole_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock_dir = Path(tempfile.mkdtemp(prefix="bs-notify-"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(sock_dir / "notify"))
    monkeypatch.setenv("NOTIFY_SOCKET", str(sock_dir / "notify"))
    broken = tmp_path / "pose_landmarker_full.task"
    broken.write_bytes(b"this is not a model" * 100)
    cfg = BackstepConfig()
    cfg.model.path = broken
    cfg.cues.sound = False
    shots: dict[str, object] = {}

    def staff_screen(app: KioskApp) -> None:
        app.controller._open_staff(time.monotonic())
        app.controller.staff.unlocked = True  # the PIN path has its own tests

    def shoot(app: KioskApp) -> None:
        shots["cannot"] = app.drawer.view(
            time.monotonic(), app.safeguards.facts, None
        ).staff.cannot_coach
        pygame.image.save(app.screen_surf, str(tmp_path / "staff.png"))

    app = KioskApp(
        cfg,
        RunOptions(
            source=str(CLIP),
            headless=True,
            seconds=5.0,
            size=(800, 480),
            script=[(3.5, staff_screen), (4.5, shoot)],
        ),
    )
    app.run()
    listener.settimeout(0.5)
    messages = []
    try:
        while True:
            messages.append(listener.recv(4096).decode())
    except TimeoutError:
        pass
    listener.close()
    assert sum("READY=1" in m for m in messages) == 1  # systemd will not kill it at start
    assert app.controller.screen is Screen.STAFF
    reason = str(shots["cannot"])
    assert reason.startswith("cannot coach: ") and len(reason) > 60
    assert (tmp_path / "staff.png").stat().st_size > 0


def test_long_staff_lines_wrap_without_losing_words() -> None:
    pygame.font.init()
    font = pygame.font.Font(None, 24)
    text = (
        "Cannot coach: pose model /var/cache/backstep/models/pose_landmarker_full.task "
        "failed to load: INVALID_ARGUMENT: Unable to open zip archive; run backstep model fetch"
    )
    lines = wrap_text(text, lambda s: font.size(s)[0], 300)
    assert len(lines) > 2
    assert all(font.size(line)[0] <= 300 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
