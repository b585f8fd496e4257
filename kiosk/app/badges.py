"""Small marks drawn over every screen: DEMO (the built-in clip) and "not saving"."""

from __future__ import annotations

from typing import Any

from kiosk.ui import theme as th


def draw_badges(surf: Any, theme: Any, labels: list[tuple[str, th.Colour]]) -> None:
    """Each label as a small pill at the top left of the body, under the header, stacked.

    Drawn after the screen, so no screen can forget it: a member coached on the demo clip
    sees DEMO everywhere, and a member whose session is not being saved sees that too.
    """
    import pygame

    size = max(12, theme.px(0.032))
    pad = max(3, size // 4)
    try:  # just under the header bar, so no screen's title is covered
        y = int(theme.layout.body()[1]) + pad
    except Exception:
        y = pad
    for text, colour in labels:
        img = theme.text(text, size, th.BLACK)
        rect = pygame.Rect(pad, y, img.get_width() + 2 * pad, img.get_height() + pad)
        pygame.draw.rect(surf, colour, rect, border_radius=pad)
        surf.blit(img, (rect.x + pad, rect.y + pad // 2))
        y = rect.bottom + pad
