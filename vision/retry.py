"""Retry with backoff: the one policy for every thread that retries on its own clock."""

from __future__ import annotations

import random
import threading


class Backoff:
    """Delays between attempts that grow from ``first_s`` by ``factor`` up to ``cap_s``.

    The caller keeps its own loop, so it stays stoppable by its own event and logs in its
    own words: ``delay = backoff.next()`` gives the pause before the next attempt (and moves
    on), `wait` pauses on a stop event, `reset` starts again at ``first_s`` after a success.
    ``jitter`` (0..1) spreads each delay by up to that fraction either way, so stations
    that lost the same server do not all come back at the same second; it is 0 unless
    asked for, and a jittered delay never exceeds ``cap_s``.
    """

    def __init__(
        self,
        first_s: float,
        cap_s: float,
        *,
        factor: float = 2.0,
        jitter: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        if first_s < 0 or factor < 1 or not 0 <= jitter <= 1:
            raise ValueError("need first_s >= 0, factor >= 1 and jitter 0..1")
        self.first_s = float(first_s)
        self.cap_s = float(cap_s)
        self.factor = float(factor)
        self.jitter = float(jitter)
        self._rng = rng or random.Random()
        self._delay = self.first_s

    @property
    def delay(self) -> float:
        """The pause `next` will give (without jitter), without moving on."""
        return self._delay

    def next(self) -> float:
        """The pause before the next attempt; the one after grows by ``factor`` (to the cap)."""
        delay = self._delay
        self._delay = min(self.cap_s, self._delay * self.factor)
        if self.jitter:
            delay *= 1.0 + self._rng.uniform(-self.jitter, self.jitter)
            delay = min(delay, max(self.cap_s, self.first_s))
        return delay

    def reset(self) -> None:
        """Start again from ``first_s`` (the last attempt worked)."""
        self._delay = self.first_s

    def wait(self, stop: threading.Event) -> bool:
        """Pause for `next` on ``stop``; True when ``stop`` was set (the caller should end)."""
        return stop.wait(self.next())
