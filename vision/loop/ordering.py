"""Results back in frame order: the reorder buffer and a worker's held result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ReorderBuffer(Generic[T]):
    """Hands results on in sequence order, waiting for older ones still being worked on.

    `expect` a sequence number when its frame is handed to a worker; `put` its result (or
    `abandon` it when the worker failed). Both return the results now due, oldest first.
    A result older than one already handed on is ``late``: it is counted and dropped. With
    ``give_up_s``, a result missing for that long stops holding newer ones back.
    Not thread-safe: the caller serialises.
    """

    def __init__(
        self, give_up_s: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.give_up_s = give_up_s
        self.clock = clock
        self.late = 0
        self.given_up = 0
        self._pending: dict[int, float] = {}
        self._ready: dict[int, T] = {}
        self._last_out: int | None = None

    @property
    def waiting(self) -> int:
        """Results held back until an older one arrives."""
        return len(self._ready)

    def expect(self, seq: int) -> None:
        """``seq`` was handed to a worker; newer results wait for it."""
        self._pending[seq] = self.clock()

    def put(self, seq: int, item: T) -> list[T]:
        """``seq``'s result; returns the results now due, in order (maybe none)."""
        if self._pending.pop(seq, None) is None and (
            self._last_out is not None and seq <= self._last_out
        ):
            self.late += 1
            return []
        self._ready[seq] = item
        return self._release()

    def poll(self) -> list[T]:
        """The results now due without a new one (an overdue one may have been given up)."""
        return self._release()

    def abandon(self, seq: int) -> list[T]:
        """``seq`` will not come (its frame failed); returns the results now due."""
        self._pending.pop(seq, None)
        return self._release()

    def _release(self) -> list[T]:
        if self.give_up_s is not None:
            now = self.clock()
            for seq, since in sorted(self._pending.items()):
                if now - since <= self.give_up_s:
                    break
                del self._pending[seq]
                self.given_up += 1
                logger.debug("result %d overdue by %.2f s: not waiting for it", seq, now - since)
        out: list[T] = []
        oldest_pending = min(self._pending) if self._pending else None
        while self._ready:
            seq = min(self._ready)
            if oldest_pending is not None and oldest_pending < seq:
                break
            out.append(self._ready.pop(seq))
            self._last_out = seq
        return out


class Held(Generic[T]):
    """One worker's last result, held until the worker's next inference starts.

    `hand_on` delivers it (to `WorkerPool._deliver`) and empties the slot; calling it with
    nothing held does nothing, so every exit path may call it.
    """

    __slots__ = ("_deliver", "_item")

    def __init__(self, deliver: Callable[[int, T], None]) -> None:
        self._deliver = deliver
        self._item: tuple[int, T] | None = None

    def hold(self, seq: int, inferred: T) -> None:
        """Keep ``seq``'s result (a previous one still held is handed on first)."""
        self.hand_on()
        self._item = (seq, inferred)

    def hand_on(self) -> None:
        """Deliver the held result now, if any."""
        item, self._item = self._item, None
        if item is not None:
            self._deliver(*item)
