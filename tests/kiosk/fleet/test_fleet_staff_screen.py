"""The staff screen's fleet line, from a real sync thread's status against a real server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
import pytest
from support.fleet import FleetDb, Station, station_config
from support.screen_views import make_view

from kiosk.app.drawing import fleet_line
from kiosk.flow.digit_entry import DigitEntry
from kiosk.flow.machine import Screen
from kiosk.flow.staff_menu import StaffState
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme


@pytest.fixture(autouse=True)
def pygame_display() -> Iterator[None]:
    """pygame's display and fonts (as tests/kiosk/ui/conftest.py sets them up)."""
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


def drawn_texts(station: Station, size: tuple[int, int]) -> list[str]:
    """Every string the unlocked staff screen draws, with the station's fleet status."""
    view = make_view(Screen.STAFF, None)
    view.controller.staff = StaffState(pin=DigitEntry(4), unlocked=True)
    view.staff.fleet = fleet_line(station.sync.status(), time.time())
    theme = Theme(*size)
    texts: list[str] = []
    real = theme.text

    def spy(text: str, *args: object, **kwargs: object) -> pygame.Surface:
        texts.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    theme.text = spy  # type: ignore[method-assign]
    surf = pygame.Surface(size)
    build_screens(theme)[Screen.STAFF].draw(surf, view)
    return texts


def fleet_lines(texts: list[str]) -> str:
    start = next(i for i, t in enumerate(texts) if t.startswith("Fleet:"))
    return " ".join(texts[start : start + 2])  # the line may wrap once at 800x480


def test_staff_screen_shows_the_fleet_up_then_down(fleet_db: FleetDb, tmp_path: Path) -> None:
    station = Station(station_config(fleet_db, "a", tmp_path / "station-a"))
    try:
        station.walk(None, time.time() - 600)
        assert station.sync.status().reachable is None  # before any pass
        station.sync.sync_now()
        up = fleet_lines(drawn_texts(station, (1920, 1080)))
        assert up.startswith("Fleet: server reachable · last sync ")
        assert up.endswith(" s ago · 0 waiting")
        assert fleet_db.count("SELECT COUNT(*) FROM sessions") == 1

        fleet_db.pg.stop()
        station.walk(None, time.time() - 300)
        station.walk(None, time.time() - 200)
        with pytest.raises(Exception, match="fleet sync"):
            station.sync.sync_now()
        down = fleet_lines(drawn_texts(station, (800, 480)))
        since = time.strftime("%H:%M", time.localtime(station.sync.status().down_since))
        assert down.startswith(f"Fleet: server unreachable since {since}")
        assert "2 waiting" in down
        assert "(this station works alone)" in fleet_lines(drawn_texts(station, (1920, 1080)))
    finally:
        station.close()
