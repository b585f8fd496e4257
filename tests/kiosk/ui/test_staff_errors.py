"""The staff screen always shows the newest error, and no badge covers its first line."""

from __future__ import annotations

from typing import Any

import pygame
import pytest

from kiosk.flow.machine import KioskController, Screen
from kiosk.ui import screens as screens_pkg
from kiosk.ui.screens import build_screens
from kiosk.ui.screens import staff as staff_module
from kiosk.ui.theme import Theme
from kiosk.ui.view_state import StaffView, ViewState

pytestmark = pytest.mark.usefixtures("pygame_display")

LONG = "the disk holding /var/lib/backstep/backstep.sqlite3 is full; free space or lower it"


def drawn_facts(monkeypatch: pytest.MonkeyPatch, staff: StaffView) -> list[str]:
    """The staff screen's lines that were drawn before the list reached the screen's bottom."""
    seen: list[str] = []
    real = staff_module.wrap_text

    def record(text: str, *args: Any) -> list[str]:
        seen.append(text)
        return real(text, *args)

    monkeypatch.setattr(staff_module, "wrap_text", record)
    c = KioskController(staff_pin="1000", checkin_enabled=False)
    c.on_button("select", "hold", 0.0)
    c.staff.unlocked = True
    theme = Theme(800, 480)
    surf = pygame.Surface((800, 480))
    view = ViewState(screen=Screen.STAFF, controller=c, staff=staff)
    build_screens(theme)[Screen.STAFF].draw(surf, view)
    assert screens_pkg is not None
    return seen


def test_the_newest_error_is_drawn_however_many_lines_come_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = StaffView(
        camera="lost",
        model="error",
        cannot_coach="cannot coach: " + LONG,
        gpio_warning="GPIO failed: " + LONG,
        restart_needed=["camera.width", "model.path"],
        thresholds="forward 12°, back 8°, side 6°",
        warnings=["NOT SAVING: 12 recording failure(s); last: " + LONG],
        errors=[f"not saving: error {i}: {LONG}" for i in range(12)],
    )
    drawn = drawn_facts(monkeypatch, staff)
    assert any("error 11" in line for line in drawn), drawn  # the newest
    first_error = next(i for i, line in enumerate(drawn) if line.startswith("Error"))
    assert "error 11" in drawn[first_error]  # newest first
