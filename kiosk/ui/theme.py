"""Colours (Okabe–Ito), fonts and sizes, all scaled from the screen height H."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pygame

logger = logging.getLogger(__name__)

Colour = tuple[int, int, int]

# Okabe & Ito (2008) colour-universal palette: distinguishable with the common colour-vision
# deficiencies. Each state also carries an icon and a word: colour is never the only signal.
GOOD: Colour = (0x00, 0x9E, 0x73)  # bluish green: upright, good
CAUTION: Colour = (0xE6, 0x9F, 0x00)  # orange: caution
FAULT: Colour = (0xD5, 0x5E, 0x00)  # vermillion: fault, safety alert
INFO: Colour = (0x56, 0xB4, 0xE9)  # sky blue: information
BACKGROUND: Colour = (0x11, 0x14, 0x18)
PANEL: Colour = (0x1C, 0x21, 0x28)
PANEL_EDGE: Colour = (0x2E, 0x35, 0x3F)
TEXT: Colour = (0xFF, 0xFF, 0xFF)
MUTED: Colour = (0xA8, 0xB0, 0xBA)
DIM: Colour = (0x55, 0x5D, 0x68)
BLACK: Colour = (0, 0, 0)

#: Colour and icon shape per role (icon names are drawn by ``widgets.draw_icon``).
ROLE_COLOURS: dict[str, Colour] = {
    "good": GOOD,
    "caution": CAUTION,
    "fault": FAULT,
    "alert": FAULT,
    "info": INFO,
}
ROLE_ICONS: dict[str, str] = {
    "good": "tick",
    "caution": "triangle",
    "fault": "octagon",
    "alert": "octagon",
    "info": "circle",
}

# Bold sans fonts tried in order (Raspberry Pi OS ships DejaVu); pygame's bundled font last.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def role_colour(role: str | None) -> Colour:
    """The palette colour for a role ("good", "caution", "fault", "alert", "info")."""
    return ROLE_COLOURS.get(role or "info", INFO)


def role_icon(role: str | None) -> str:
    """The icon shape for a role."""
    return ROLE_ICONS.get(role or "info", "circle")


@lru_cache(maxsize=1)
def font_path() -> str | None:
    """The bold font file used everywhere (None = pygame's default font)."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class Layout:
    """Screen regions in pixels, top strip, mirror, panel, cue banner."""

    width: int
    height: int

    @property
    def top_h(self) -> int:
        """Top strip: ~8% of H."""
        return max(20, round(self.height * 0.08))

    @property
    def banner_h(self) -> int:
        """Cue banner: ~18% of H."""
        return max(40, round(self.height * 0.18))

    @property
    def mirror_w(self) -> int:
        """Mirror: ~60% of the width."""
        return round(self.width * 0.6)

    def top(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the top strip."""
        return (0, 0, self.width, self.top_h)

    def mirror(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the mirror area (between the strip and the banner)."""
        return (0, self.top_h, self.mirror_w, self.height - self.top_h - self.banner_h)

    def panel(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the side panel."""
        return (
            self.mirror_w,
            self.top_h,
            self.width - self.mirror_w,
            self.height - self.top_h - self.banner_h,
        )

    def banner(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the cue banner."""
        return (0, self.height - self.banner_h, self.width, self.banner_h)

    def body(self) -> tuple[int, int, int, int]:
        """(x, y, w, h) between the top strip and the banner, full width."""
        return (0, self.top_h, self.width, self.height - self.top_h - self.banner_h)


class Theme:
    """Fonts and sizes for one screen size; fonts and text renders are cached."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.layout = Layout(width, height)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._texts: dict[tuple[str, int, Colour], pygame.Surface] = {}

    def px(self, fraction: float) -> int:
        """A size as a fraction of H, in pixels (at least 1)."""
        return max(1, round(self.height * fraction))

    # Named text sizes, as fractions of H. The cue is the one read from 2 m away.
    @property
    def cue_size(self) -> int:
        """Cue banner font size: 9% of H (never below 7.5%, see ``fit_lines``)."""
        return self.px(0.09)

    @property
    def cue_min_size(self) -> int:
        """Smallest cue font size when a long cue must shrink or wrap."""
        return self.px(0.075)

    def font(self, size: int) -> pygame.font.Font:
        """A cached bold font of ``size`` pixels."""
        import pygame

        f = self._fonts.get(size)
        if f is None:
            if not pygame.font.get_init():
                pygame.font.init()
            f = pygame.font.Font(font_path(), size)
            self._fonts[size] = f
        return f

    def text(self, text: str, size: int, colour: Colour = TEXT) -> pygame.Surface:
        """A rendered text surface, cached (static labels cost nothing after the first frame)."""
        key = (text, size, colour)
        surf = self._texts.get(key)
        if surf is None:
            if len(self._texts) > 600:  # numbers change; keep the cache bounded
                self._texts.clear()
            surf = self.font(size).render(text, True, colour)
            self._texts[key] = surf
        return surf

    def fit_lines(
        self, text: str, max_width: int, size: int, min_size: int
    ) -> tuple[list[str], int]:
        """Shrink, then wrap onto two lines, so ``text`` fits ``max_width``; (lines, size)."""
        s = size
        while s >= min_size:
            if self.font(s).size(text)[0] <= max_width:
                return [text], s
            s -= max(1, size // 20)
        s = min_size
        words = text.split()
        best = [text]
        for i in range(1, len(words)):
            a, b = " ".join(words[:i]), " ".join(words[i:])
            if self.font(s).size(a)[0] <= max_width and self.font(s).size(b)[0] <= max_width:
                best = [a, b]
                break
        return best, s


def darker(colour: Colour, factor: float = 0.7) -> Colour:
    """The same hue, darker (icons on a coloured banner)."""
    r, g, b = colour
    return (int(r * factor), int(g * factor), int(b * factor))
