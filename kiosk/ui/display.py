"""The pygame display: which SDL driver to use, and opening the window or the framebuffer."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config.schema import DisplayConfig
from kiosk.ui.errors import DisplayError as DisplayError
from vision.retry import Backoff

logger = logging.getLogger(__name__)


def explain_display(driver: str | None, exc: BaseException) -> str:
    """A staff-readable reason and fix for a display that would not open."""
    which = f"SDL_VIDEODRIVER={driver}" if driver else "the desktop's display"
    fix = "connect the screen, or run with --headless"
    if driver == "kmsdrm":
        dri = ", ".join(sorted(str(p) for p in Path("/dev/dri").glob("card*")))
        fix = (
            f"connect the HDMI/DSI screen before the Pi starts ({dri or 'no /dev/dri/card*'}"
            "), put the kiosk user in groups video and render, and stop anything else on the "
            "console (a desktop session, getty); `backstep doctor` checks this"
        )
    return f"cannot open the display with {which}: {exc}. Fix: {fix}"


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


def open_display(
    disp: DisplayConfig,
    headless: bool,
    size: tuple[int, int] | None,
    *,
    wait_s: float = 0.0,
    sleep: Any = None,
) -> Display:
    """`open_display_once`, retried with growing pauses for up to ``wait_s`` seconds.

    Raises :class:`DisplayError` (one clear line, no pygame traceback) when it never opens.
    Under systemd the app passes ``display.wait_s``: an exit at once would be restarted
    every few seconds and soon hit the unit's start limit.
    """
    import time

    pause = sleep or time.sleep
    deadline = time.monotonic() + wait_s
    backoff = Backoff(2.0, 30.0)
    attempt = 0
    while True:
        attempt += 1
        try:
            return open_display_once(disp, headless, size)
        except DisplayError as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            wait = min(backoff.next(), left)
            if attempt == 1:
                logger.error("%s (retrying for %.0f s)", exc, wait_s)
            else:
                logger.warning("still no display (attempt %d); next try in %.0f s", attempt, wait)
            pause(wait)


def open_display_once(disp: DisplayConfig, headless: bool, size: tuple[int, int] | None) -> Display:
    """Initialise pygame's display and fonts and open the screen (``size`` forces a window)."""
    import pygame

    driver = choose_driver(disp.driver, headless)
    try:
        return _open(pygame, disp, driver, size)
    except pygame.error as exc:
        pygame.display.quit()  # a clean slate for the next attempt
        raise DisplayError(explain_display(driver, exc)) from None


def _open(pygame: Any, disp: DisplayConfig, driver: str | None, size: Any) -> Display:
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
