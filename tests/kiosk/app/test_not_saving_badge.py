"""The NOT SAVING badge: on member screens while nothing is saved, never over the staff list."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from support.paths import FIXTURES

from kiosk.app import drawing
from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import Screen

pytestmark = pytest.mark.slow  # a real kiosk loop with the pose model


def test_the_badge_shows_while_not_saving_but_never_covers_the_staff_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the data folder cannot be created: no database at all
    monkeypatch.setenv("BACKSTEP_DATA_DIR", str(blocker / "data"))
    drawn: list[tuple[Screen, list[str]]] = []
    real = drawing.draw_badges

    def record(surf: Any, theme: Any, labels: list[tuple[str, Any]]) -> None:
        drawn.append((app.controller.screen, [text for text, _ in labels]))
        real(surf, theme, labels)

    monkeypatch.setattr(drawing, "draw_badges", record)
    cfg = BackstepConfig()
    cfg.cues.sound = False

    def staff_screen(app: KioskApp) -> None:
        app.controller._open_staff(time.monotonic())
        app.controller.staff.unlocked = True

    app = KioskApp(
        cfg,
        RunOptions(
            source=str(FIXTURES / "single_person_front.mp4"),
            headless=True,
            seconds=3.0,
            size=(800, 480),
            script=[(1.5, staff_screen)],
        ),
    )
    app.run()
    assert any("NOT SAVING" in labels for screen, labels in drawn if screen is Screen.IDLE)
    assert not [screen for screen, _ in drawn if screen is Screen.STAFF]
    warnings = app.warnings()
    assert any(w.startswith("not saving") for w in warnings), warnings
