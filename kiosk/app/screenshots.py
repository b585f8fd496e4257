"""``--screenshots DIR``: a PNG of each screen when first shown, then one every few seconds."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Seconds between periodic screenshots (besides one per screen when first shown).
SCREENSHOT_EVERY_S = 5.0


class ScreenshotSaver:
    """Names files ``01_idle.png`` (first showing, in order) and ``t0012.5_session.png``."""

    def __init__(self, directory: Path, every_s: float = SCREENSHOT_EVERY_S) -> None:
        self.directory = directory
        self.every_s = every_s
        self.files: list[str] = []
        self._seen: set[str] = set()
        self._last_periodic = 0.0

    def due(self, screen: str, t_rel: float) -> str | None:
        """The file name to save now for ``screen`` at ``t_rel`` seconds, or None."""
        if screen not in self._seen:
            self._seen.add(screen)
            name = f"{len(self._seen):02d}_{screen}.png"
        elif t_rel - self._last_periodic >= self.every_s:
            name = f"t{t_rel:06.1f}_{screen}.png"
        else:
            return None
        self._last_periodic = t_rel
        return name

    def maybe_save(self, surface: Any, screen: str, t_rel: float) -> None:
        """Save ``surface`` if a screenshot is due; raises OSError/pygame.error on failure."""
        import pygame

        name = self.due(screen, t_rel)
        if name is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        pygame.image.save(surface, str(self.directory / name))
        self.files.append(name)
