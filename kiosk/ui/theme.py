"""Colours (Okabe–Ito), fonts and sizes, all scaled from the screen height H."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pygame

Rect = tuple[int, int, int, int]

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
#: Text on light banners (orange, sky blue, bluish green): near-black reaches WCAG AA there.
INK: Colour = (0x11, 0x14, 0x18)
#: The fault/alert banner's background: vermillion darkened until white on it reads >= 7:1
#: (white on the bright vermillion is 4.78:1, the lowest contrast on the most important cue).
FAULT_BANNER: Colour = (0x8C, 0x3D, 0x00)  # 7.55:1 with white

# Type floors, as the CAP HEIGHT of the rendered glyphs over the screen height H (issue 22;
# screens.md): on the 7" 800x480 panel at 2 m, 6% of H is ~10 arcmin (a glance), 8% ~13,
# 12% ~20 (comfortable reading). Font sizes are derived from these by measuring the font.
#: Every word a member reads (29 px cap height at 480).
MEMBER_MIN_CAP = 0.06
#: The cue in the banner.
CUE_MIN_CAP = 0.08
#: The number that matters on a screen (the block's time left, % upright on the summary).
NUMBER_MIN_CAP = 0.12
#: Smallest cap height on staff-only screens (read at arm's length, exempt from the floors).
STAFF_MIN_CAP = 0.024
#: WCAG 2 AA contrast for normal text.
MIN_CONTRAST = 4.5
#: Contrast of the posture-fault banner: the most important message gets WCAG AAA.
FAULT_CONTRAST = 7.0

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


def luminance(colour: Colour) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = colour[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: Colour, b: Colour) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: Colour) -> Colour:
    """White or near-black, whichever reads better on ``background``."""
    return TEXT if contrast(TEXT, background) >= contrast(INK, background) else INK


def role_colour(role: str | None) -> Colour:
    """The palette colour for a role ("good", "caution", "fault", "alert", "info")."""
    return ROLE_COLOURS.get(role or "info", INFO)


def banner_colour(role: str | None) -> Colour:
    """The cue banner's background for a role (fault and alert darker, for >= 7:1 text)."""
    return FAULT_BANNER if role in ("fault", "alert") else role_colour(role)


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


@lru_cache(maxsize=256)
def cap_height(size: int) -> int:
    """The cap height in pixels of the theme font at ``size``, measured on a rendered "H"."""
    import numpy as np
    import pygame

    if not pygame.font.get_init():
        pygame.font.init()
    img = pygame.font.Font(font_path(), size).render("H", True, TEXT, BLACK)
    ink = np.where(pygame.surfarray.array3d(img)[:, :, 0].max(axis=0) >= 128)[0]
    return int(ink.max() - ink.min() + 1) if ink.size else 0


@lru_cache(maxsize=256)
def size_for_cap(cap_px: float) -> int:
    """The smallest font size whose rendered cap height is at least ``cap_px`` pixels."""
    size = max(1, int(cap_px / 0.8))  # every common bold sans has a cap height < 0.8 em
    while cap_height(size) < cap_px:
        size += 1
    return size


@dataclass(slots=True)
class Layout:
    """Screen regions in pixels: top strip, body (mirror + panel), cue banner, hint row.

    The hint row is the bottom band of every screen, so a button's meaning is always read in
    the same place, just above the physical buttons.
    """

    width: int
    height: int
    #: pixels the cue banner grows upward this frame (a long cue needing a third line)
    banner_extra: int = 0
    #: rows of button hints this frame (three hints need two rows on a narrow panel)
    hint_rows: int = 1

    @property
    def top_h(self) -> int:
        """Top strip: 11.5% of H (one line of member type, 6% cap height, with air)."""
        return max(24, round(self.height * 0.115))

    @property
    def hints_h(self) -> int:
        """Hint row at the very bottom: 11.5% of H per row of hints."""
        return max(24, round(self.height * 0.115)) * max(1, self.hint_rows)

    @property
    def banner_h(self) -> int:
        """Cue banner, just above the hint row: 27% of H, two lines of cue type (8% cap)."""
        return max(40, round(self.height * 0.27)) + self.banner_extra

    @property
    def mirror_w(self) -> int:
        """Mirror: half the width (the panel gets the rest, for instruments read from 2 m)."""
        return round(self.width * 0.5)

    def top(self) -> Rect:
        """(x, y, w, h) of the top strip."""
        return (0, 0, self.width, self.top_h)

    def hints(self) -> Rect:
        """(x, y, w, h) of the hint row."""
        return (0, self.height - self.hints_h, self.width, self.hints_h)

    def banner(self) -> Rect:
        """(x, y, w, h) of the cue banner (above the hint row)."""
        return (0, self.height - self.hints_h - self.banner_h, self.width, self.banner_h)

    def body(self, banner: bool = False) -> Rect:
        """(x, y, w, h) between the top strip and the hint row (or the banner), full width."""
        bottom = self.height - self.hints_h - (self.banner_h if banner else 0)
        return (0, self.top_h, self.width, bottom - self.top_h)

    def mirror(self, banner: bool = True) -> Rect:
        """(x, y, w, h) of the mirror area."""
        _x, y, _w, h = self.body(banner)
        return (0, y, self.mirror_w, h)

    def panel(self, banner: bool = True) -> Rect:
        """(x, y, w, h) of the side panel."""
        _x, y, _w, h = self.body(banner)
        return (self.mirror_w, y, self.width - self.mirror_w, h)


@dataclass(frozen=True, slots=True)
class DrawnText:
    """One piece of text as drawn, kept while ``Theme.recording`` (tests, screenshots)."""

    text: str
    size: int
    colour: Colour
    rect: Rect
    background: Colour  # the most common colour under the text before it was drawn
    container: Rect | None
    #: what the text is: "text", "cue" (the banner) or "number" (the one that matters)
    kind: str = "text"


class Theme:
    """Fonts and sizes for one screen size; fonts and text renders are cached."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.layout = Layout(width, height)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._texts: dict[tuple[str, int, Colour], pygame.Surface] = {}
        self._meta: dict[int, tuple[str, int, Colour]] = {}
        #: when True, every ``blit`` of a text is measured into ``drawn`` (tests, screenshots)
        self.recording = False
        self.drawn: list[DrawnText] = []
        #: named non-text regions drawn this frame (charts, rings), for overlap checks
        self.boxes: dict[str, Rect] = {}
        #: the smallest font size this frame may use: the member floor unless a staff-only
        #: screen lowers it (`BaseScreen.draw`); every screen inherits it through `font`
        self.floor = 1

    def cap(self, fraction: float) -> int:
        """The font size whose cap height is ``fraction`` of H (at least), in pixels."""
        return size_for_cap(self.height * fraction)

    @property
    def min_text(self) -> int:
        """The smallest font size a member may be shown: cap height 6% of H."""
        return self.cap(MEMBER_MIN_CAP)

    @property
    def staff_text(self) -> int:
        """Body type on the staff screen (read at arm's length)."""
        return self.cap(0.026)

    @property
    def number_size(self) -> int:
        """The number that matters on a screen: cap height 12% of H."""
        return self.cap(NUMBER_MIN_CAP)

    def begin_frame(self, staff: bool = False) -> None:
        """Forget the last frame's measurements; set the type floor for this screen.

        A member screen's text is never smaller than 6% of H in cap height, however a
        screen asks for it: the floor lives here, so every screen (and a new one) has it.
        """
        self.drawn.clear()
        self.boxes.clear()
        self.floor = 1
        self.floor = self.staff_text if staff else self.min_text
        self.layout.banner_extra, self.layout.hint_rows = 0, 1  # the screen sets its own

    def box(self, name: str, rect: Rect) -> None:
        """Note a non-text region (a chart, a ring) that text must not run into."""
        if self.recording:
            self.boxes[name] = tuple(int(v) for v in rect)  # type: ignore[assignment]

    def blit(
        self,
        surf: pygame.Surface,
        img: pygame.Surface,
        dest: tuple[float, float] | None = None,
        *,
        center: tuple[float, float] | None = None,
        midleft: tuple[float, float] | None = None,
        midtop: tuple[float, float] | None = None,
        container: Rect | None = None,
        kind: str = "text",
    ) -> pygame.Rect:
        """Blit a text image (or any image) at ``dest`` or an anchor; measured when recording.

        ``kind`` says which floor the text must meet: "text", "cue" or "number".
        """
        if center is not None:
            rect = img.get_rect(center=(int(center[0]), int(center[1])))
        elif midleft is not None:
            rect = img.get_rect(midleft=(int(midleft[0]), int(midleft[1])))
        elif midtop is not None:
            rect = img.get_rect(midtop=(int(midtop[0]), int(midtop[1])))
        else:
            d = dest or (0, 0)
            rect = img.get_rect(topleft=(int(d[0]), int(d[1])))
        meta = self._meta.get(id(img))
        if self.recording and meta is not None:
            self.drawn.append(
                DrawnText(
                    meta[0],
                    meta[1],
                    meta[2],
                    (rect.x, rect.y, rect.w, rect.h),
                    _background(surf, rect),
                    container,
                    kind,
                )
            )
        surf.blit(img, rect)
        return rect

    def px(self, fraction: float) -> int:
        """A size as a fraction of H, in pixels (at least 1)."""
        return max(1, round(self.height * fraction))

    # Named text sizes. The cue is the one read from 2 m away.
    @property
    def cue_size(self) -> int:
        """Cue banner font size: cap height 8.5% of H (never below 8%, ``cue_min_size``)."""
        return self.cap(0.085)

    @property
    def cue_min_size(self) -> int:
        """Smallest cue font size when a long cue must shrink or wrap: cap height 8% of H."""
        return self.cap(CUE_MIN_CAP)

    def font(self, size: int) -> pygame.font.Font:
        """A cached bold font of ``size`` pixels."""
        import pygame

        size = max(size, self.floor)
        f = self._fonts.get(size)
        if f is None:
            if not pygame.font.get_init():
                pygame.font.init()
            f = pygame.font.Font(font_path(), size)
            self._fonts[size] = f
        return f

    def text(self, text: str, size: int, colour: Colour = TEXT) -> pygame.Surface:
        """A rendered text surface, cached (static labels cost nothing after the first frame)."""
        size = max(size, self.floor)
        key = (text, size, colour)
        surf = self._texts.get(key)
        if surf is None:
            if len(self._texts) > 600:  # numbers change; keep the cache bounded
                self._texts.clear()
                self._meta.clear()
            surf = self.font(size).render(text, True, colour)
            self._texts[key] = surf
            self._meta[id(surf)] = key
        return surf

    def fit_lines(
        self, text: str, max_width: int, size: int, min_size: int, max_lines: int = 2
    ) -> tuple[list[str], int]:
        """Shrink, then wrap into balanced lines, so ``text`` fits ``max_width``; (lines, size).

        Lines never start with a dash or other punctuation, and the break that makes the lines
        most even wins ("Chest up —" / "stand tall", not "Chest up — stand" / "tall").
        """
        s = size
        while s >= min_size:
            if self.font(s).size(text)[0] <= max_width:
                return [text.replace("\u00a0", " ")], s
            s -= max(1, size // 20)
        s = size
        while s >= min_size:
            lines = self._balanced(text, max_width, s, max_lines)
            if lines is not None:
                return lines, s
            s -= max(1, size // 20)
        lines = self._balanced(text, max_width, min_size, max_lines + 1)
        return (lines or [text]), min_size

    def _balanced(self, text: str, max_width: int, size: int, max_lines: int) -> list[str] | None:
        """The most even split of ``text`` into 2..max_lines lines that fit, or None."""
        font = self.font(size)
        # split at plain spaces only: a no-break space keeps "3 March" on one line
        words = [word.replace("\u00a0", " ") for word in text.split(" ") if word]
        best: tuple[float, list[str]] | None = None
        for n in range(2, max_lines + 1):
            for cuts in _cut_points(len(words), n):
                bounds = zip((0, *cuts), (*cuts, len(words)), strict=True)
                parts = [" ".join(words[a:b]) for a, b in bounds]
                if any(p[:1] in "—–-,.;:·" for p in parts[1:]):
                    continue  # no line starts with a dash or a separator
                # a line break replaces a "·" separator ("Walk BACKWARD" / "1 mph")
                parts = [p[:-1].rstrip() if p.endswith("·") else p for p in parts]
                widths = [font.size(p)[0] for p in parts]
                if max(widths) > max_width:
                    continue
                score = max(widths) - min(widths)
                if best is None or score < best[0]:
                    best = (score, parts)
            if best is not None:
                return best[1]
        return None


def _cut_points(n_words: int, n_lines: int) -> list[tuple[int, ...]]:
    """Every way to cut ``n_words`` words into ``n_lines`` non-empty lines."""
    from itertools import combinations

    if n_lines > 5 or n_words > 24:
        return []  # no screen text is that long: the caller falls back to one line
    return list(combinations(range(1, n_words), n_lines - 1))


def _background(surf: pygame.Surface, rect: pygame.Rect) -> Colour:
    """The most common colour inside ``rect`` on ``surf`` (what the text will sit on)."""
    import numpy as np
    import pygame

    area = rect.clip(surf.get_rect())
    if area.w == 0 or area.h == 0:
        return BACKGROUND
    px = pygame.surfarray.array3d(surf.subsurface(area)).reshape(-1, 3).astype(np.uint32)
    # one integer per colour (0xRRGGBB): numpy's row-wise unique sorts 50x slower, and the
    # order, hence the pick among equally common colours, is the same
    packed = (px[:, 0] << 16) | (px[:, 1] << 8) | px[:, 2]
    colours, counts = np.unique(packed, return_counts=True)
    top = int(colours[int(np.argmax(counts))])
    return (top >> 16, (top >> 8) & 0xFF, top & 0xFF)


def darker(colour: Colour, factor: float = 0.7) -> Colour:
    """The same hue, darker (icons on a coloured banner)."""
    r, g, b = colour
    return (int(r * factor), int(g * factor), int(b * factor))
