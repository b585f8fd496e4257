"""The live mirror's image: letterboxed, flipped like a mirror, dimmed, in the display format."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from kiosk.ui.mirror import MirrorView


@pytest.fixture
def screen(sdl_dummy: None) -> pygame.Surface:
    pygame.display.init()
    surf = pygame.display.set_mode((800, 480))
    yield surf
    pygame.display.quit()


def camera_frame() -> np.ndarray:
    """640x480, left half red, right half blue."""
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:, :320] = (200, 0, 0)
    frame[:, 320:] = (0, 0, 200)
    return frame


@pytest.mark.parametrize("mirror", [True, False])
def test_the_frame_is_letterboxed_flipped_and_dimmed(screen: pygame.Surface, mirror: bool) -> None:
    view = MirrorView(dim=0.75)
    drawn = view.draw(screen, (0, 0, 800, 480), camera_frame(), 1, mirror=mirror)
    assert drawn.size == (640, 480) and drawn.centerx == 400  # 4:3 centred in 5:3
    left = screen.get_at((drawn.x + 10, 240))[:3]
    right = screen.get_at((drawn.right - 10, 240))[:3]
    red, blue = (150, 0, 0), (0, 0, 150)  # 200 dimmed to 75%
    assert (left, right) == ((blue, red) if mirror else (red, blue))
    assert screen.get_at((40, 240))[:3] == (0, 0, 0)  # the letterbox bar


def test_a_surface_is_built_once_per_frame_in_the_display_format(screen: pygame.Surface) -> None:
    view = MirrorView()
    frame = camera_frame()
    view.draw(screen, (0, 0, 800, 480), frame, 7)
    first = view._surf
    assert first is not None and first.get_bitsize() == screen.get_bitsize()
    view.draw(screen, (0, 0, 800, 480), frame, 7)
    assert view._surf is first  # a redraw of the same frame reuses it
    view.draw(screen, (0, 0, 800, 480), frame, 8)
    assert view._surf is not first
