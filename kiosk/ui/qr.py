"""The summary's take-away QR code: segno makes the matrix, pygame draws it crisp."""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np
import pygame

from kiosk.ui import theme as th
from kiosk.ui.theme import Rect

logger = logging.getLogger(__name__)

#: Modules of white around the code: the QR standard's quiet zone.
QUIET = 4


@lru_cache(maxsize=4)
def qr_modules(text: str) -> np.ndarray:
    """The QR code for ``text`` as a boolean array (True = dark), quiet zone included."""
    import segno

    code = segno.make(text, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=QUIET)]
    return np.array(rows, dtype=bool)


def draw_qr(surf: pygame.Surface, text: str, rect: Rect) -> pygame.Rect:
    """Draw the code for ``text`` as large as fits ``rect``, whole modules only; its rect.

    Dark modules on white whatever the theme (phone cameras expect dark on light), each
    module the same whole number of pixels so that no row or column blurs.
    """
    modules = qr_modules(text)
    n = modules.shape[0]
    x, y, w, h = rect
    scale = max(1, min(w, h) // n)
    side = n * scale
    img = np.where(modules, 0, 255).astype(np.uint8)
    big = np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)
    rgb = np.ascontiguousarray(np.stack([big.T] * 3, axis=-1))  # surfarray is (x, y)
    code = pygame.surfarray.make_surface(rgb)
    dest = pygame.Rect(x + (w - side) // 2, y + (h - side) // 2, side, side)
    surf.blit(code, dest)
    pygame.draw.rect(surf, th.PANEL_EDGE, dest.inflate(4, 4), 2)
    return dest
