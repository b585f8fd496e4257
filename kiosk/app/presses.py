"""Scripted button presses (``--press "1.5:start,40:stop,45:select/hold"``) for demos and tests."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from hw.events import BUTTON_NAMES, ButtonEvent
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScriptedPress:
    """One press: ``at_s`` seconds after the app started."""

    at_s: float
    event: ButtonEvent


def parse_presses(spec: str) -> list[ScriptedPress]:
    """Parse ``"T:button[/kind],..."``; raises ValueError naming the bad item."""
    presses: list[ScriptedPress] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        when, sep, what = item.partition(":")
        if not sep:
            raise ValueError(f"press {item!r}: expected SECONDS:BUTTON[/hold]")
        try:
            at = float(when)
        except ValueError:
            raise ValueError(f"press {item!r}: {when!r} is not a number of seconds") from None
        if at < 0:
            raise ValueError(f"press {item!r}: time must not be negative")
        button, _, kind = what.strip().partition("/")
        if button not in BUTTON_NAMES:
            raise ValueError(f"press {item!r}: unknown button {button!r}; use {BUTTON_NAMES}")
        try:
            event = ButtonEvent(button, kind or "press")  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValueError(f"press {item!r}: {exc}") from None
        presses.append(ScriptedPress(at, event))
    return sorted(presses, key=lambda p: p.at_s)


class PressInjector:
    """Posts scripted presses from its own thread through the same ``post`` as GPIO buttons."""

    def __init__(
        self,
        presses: list[ScriptedPress],
        post: Callable[[ButtonEvent], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._presses = list(presses)
        self._post = post
        self._clock = clock
        self._worker = WorkerThread(self._run, "backstep-presses", join_timeout_s=1.0)
        self.posted = 0
        self._t0 = 0.0

    def start(self) -> None:
        """Start the clock now (once)."""
        if self._worker.is_started or not self._presses:
            return
        self._t0 = self._clock()
        self._worker.start()

    def _run(self) -> None:
        for press in self._presses:
            delay = press.at_s - (self._clock() - self._t0)
            if delay > 0 and self._worker.stopping.wait(delay):
                return
            logger.info("scripted press %s/%s", press.event.button, press.event.kind)
            self._post(press.event)
            self.posted += 1

    def close(self) -> None:
        """Stop posting (idempotent)."""
        self._worker.stop()
