"""The pygame display: which SDL driver to use, and opening the window or the framebuffer."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config.schema import DisplayConfig

logger = logging.getLogger(__name__)


def choose_driver(driver: str, headless: bool, environ: dict[str, str] | None = None) -> str | None:
    """The SDL video driver: dummy when headless, kmsdrm on a console, a window on a desktop.

    Returns None to let SDL pick (a desktop session). An ``SDL_VIDEODRIVER`` already set in
    the environment wins, so systemd units and tests keep control.
    """
    env = os.environ if environ is None else environ
    if headless:
        return "dummy"
    if env.get("SDL_VIDEODRIVER"):
        return env["SDL_VIDEODRIVER"]
    if driver != "auto":
        return driver
    if env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"):
        return None
    if any(Path("/dev/dri").glob("card*")):
        return "kmsdrm"
    return "dummy"


@dataclass(frozen=True, slots=True)
class Display:
    """The surface drawn on, and whether nobody can see it (dummy/offscreen driver)."""

    surface: Any
    headless: bool
    driver: str | None


def open_display(disp: DisplayConfig, headless: bool, size: tuple[int, int] | None) -> Display:
    """Initialise pygame's display and fonts and open the screen (``size`` forces a window)."""
    import pygame

    driver = choose_driver(disp.driver, headless)
    if driver:
        os.environ["SDL_VIDEODRIVER"] = driver
    is_headless = driver in ("dummy", "offscreen")
    if is_headless:
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    pygame.display.init()
    pygame.font.init()
    wanted = size or (disp.width, disp.height)
    flags = 0
    fullscreen = disp.fullscreen and not is_headless and size is None
    if fullscreen:
        flags |= pygame.FULLSCREEN
        wanted = (0, 0) if driver == "kmsdrm" else wanted
    surface = pygame.display.set_mode(wanted, flags)
    pygame.display.set_caption("Backstep")
    if fullscreen:
        pygame.mouse.set_visible(False)
    w, h = surface.get_size()
    logger.info("display %dx%d driver=%s", w, h, driver or "default")
    return Display(surface, is_headless, driver)
