"""What every screen test needs: pygame's display and fonts, and a real camera frame."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pygame
import pytest
from support.paths import ROOT

DEMO = ROOT / "vision" / "data" / "demo.mp4"


@pytest.fixture(scope="module")
def pygame_display() -> Iterator[None]:
    """pygame's display and fonts for a module of screen tests (``usefixtures``)."""
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.display.quit()


@pytest.fixture(scope="module")
def demo_frame() -> np.ndarray:
    """The first frame of the real demo clip (portrait 360x640), RGB."""
    import cv2

    cap = cv2.VideoCapture(str(DEMO))
    ok, bgr = cap.read()
    cap.release()
    assert ok, "demo clip unreadable"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
