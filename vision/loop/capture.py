"""The capture thread: reads a frame source, keeps only the newest frame, reconnects on loss."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vision.errors import SourceError
from vision.retry import Backoff
from vision.settings import CameraConfig
from vision.sources.base import FrameSource
from vision.sources.choice import source_factory
from vision.threads import WorkerThread
from vision.types import Frame

logger = logging.getLogger(__name__)

CaptureState = Literal["starting", "ok", "lost", "ended"]

# The rolling fps covers this many frames; with no frame for _FPS_STALE_S it reads 0.
_FPS_WINDOW = 30
_FPS_STALE_S = 2.0
#: How often the watchdog looks at the age of the call in progress.
_WATCH_EVERY_S = 0.2


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """A snapshot of the capture thread.

    ``state``: "starting" (no frame yet), "ok" (frames flowing), "lost" (the source failed;
    reconnecting), "ended" (a file ended with ``stop_at_end``, or the thread was stopped).
    ``fps`` is measured over the last frames; ``frames`` counts frames captured, ``dropped``
    those overwritten before anyone took them, ``reconnects`` the recoveries after a loss;
    ``last_error`` is the most recent failure, kept after recovery for the status screen.
    """

    state: CaptureState
    source_name: str
    fps: float
    frames: int
    dropped: int
    reconnects: int
    last_error: str | None

    @property
    def is_ok(self) -> bool:
        """True while frames are flowing."""
        return self.state == "ok"


class CaptureThread:
    """Runs a frame source in its own daemon thread and holds only the newest frame.

    Latest-only on purpose: the pose model is slower than the camera on a Pi, and a queue
    would turn that into ever-growing latency; a frame replaced before anyone took it is
    counted in ``status.dropped``. The thread re-numbers frames with its own counter, so
    ``Frame.index`` keeps increasing across reconnects and file loops (the pose model wants
    monotonic input). A source that raises, or a camera that returns nothing, is closed and
    reopened through ``source_factory`` with exponential backoff (``reconnect_min_s``
    doubling up to ``reconnect_max_s``) forever; the thread never dies of a source failure.
    A file that ends stops the thread with state "ended" when ``stop_at_end`` is set, and is
    otherwise reopened like a lost camera.

    No source call may block forever: a watchdog thread times every factory/open/read call,
    and one that has not returned after ``stall_s`` (a stalled USB read, a hung CSI capture)
    is a lost camera. The stuck reader is abandoned (a daemon thread; it closes its source
    if the call ever returns) and a fresh reader reconnects through the factory.
    """

    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        *,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 10.0,
        stop_at_end: bool = False,
        join_timeout_s: float = 3.0,
        stall_s: float = 2.0,
    ) -> None:
        if reconnect_min_s <= 0 or reconnect_max_s < reconnect_min_s:
            raise ValueError("need 0 < reconnect_min_s <= reconnect_max_s")
        if stall_s <= 0:
            raise ValueError("need stall_s > 0")
        self._stall_s = stall_s
        self._factory = source_factory
        self._min_s = reconnect_min_s
        self._max_s = reconnect_max_s
        self._stop_at_end = stop_at_end
        self._join_timeout_s = join_timeout_s
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: WorkerThread | None = None
        self._watchdog: WorkerThread | None = None
        # Guarded by _cond:
        self._generation = 0  # bumped when a stuck reader is abandoned
        self._call: tuple[str, float] | None = None  # (what, since) of the reader's call
        self._stalls = 0
        self._abandoned: list[WorkerThread] = []  # readers left in a stuck call (at most one)
        self._latest: Frame | None = None
        self._taken = True
        self._finished = False
        self._state: CaptureState = "starting"
        self._source_name = ""
        self._frames = 0
        self._dropped = 0
        self._reconnects = 0
        self._last_error: str | None = None
        self._publish_times: deque[float] = deque(maxlen=_FPS_WINDOW)

    @classmethod
    def from_config(
        cls, cfg: CameraConfig, override: str | None = None, *, stop_at_end: bool = False
    ) -> CaptureThread:
        """A capture thread over `source_factory` (`vision.sources.choice`) with the backoff."""
        return cls(
            source_factory(cfg, override),
            reconnect_min_s=cfg.reconnect_min_s,
            reconnect_max_s=cfg.reconnect_max_s,
            stop_at_end=stop_at_end,
            stall_s=cfg.stall_s,
        )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread (once; a second call does nothing)."""
        if self._stop.is_set():
            raise RuntimeError("a stopped CaptureThread cannot be restarted; make a new one")
        if self._thread is not None:
            return
        self._thread = self._reader(0)
        self._thread.start()
        self._watchdog = WorkerThread(
            self._watch, "backstep-capture-watchdog", self._join_timeout_s, stopping=self._stop
        )
        self._watchdog.start()

    def _reader(self, generation: int) -> WorkerThread:
        # every reader generation shares the stop event: one stop ends the live one and any
        # abandoned one that comes back from its stuck call
        return WorkerThread(
            functools.partial(self._run, generation),
            "backstep-capture",
            self._join_timeout_s,
            stopping=self._stop,
        )

    def stop(self) -> None:
        """Stop the thread and wait for it (bounded); safe to call twice, or before start."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            thread = self._thread
        if self._watchdog is not None:
            self._watchdog.stop()
        if thread is not None:
            # a driver stuck in read() may outlive the join: the thread is a daemon and does
            # not hold up the exit
            thread.stop()
        with self._cond:
            self._finished = True
            if self._state != "ended":
                self._state = "ended"
            self._cond.notify_all()

    close = stop

    @property
    def is_running(self) -> bool:
        """True while the capture thread is alive."""
        return self._thread is not None and self._thread.is_alive

    def __enter__(self) -> CaptureThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- consumers ---------------------------------------------------------------------

    def latest(self) -> Frame | None:
        """The newest frame (or None before the first); never blocks on the source."""
        with self._cond:
            if self._latest is not None:
                self._taken = True
            return self._latest

    def wait_newer(self, after_index: int | None, timeout: float) -> Frame | None:
        """Block until a frame with index > ``after_index`` (any frame if None) is there.

        Returns the newest such frame, or None on timeout or once no frame will come any
        more (the file ended or the thread stopped). The inference thread waits here.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                frame = self._latest
                if frame is not None and (after_index is None or frame.index > after_index):
                    self._taken = True
                    return frame
                remaining = deadline - time.monotonic()
                if self._finished or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    @property
    def status(self) -> CaptureStatus:
        """A consistent snapshot of state and counters."""
        now = time.monotonic()
        with self._cond:
            times = self._publish_times
            fps = 0.0
            if len(times) >= 2 and now - times[-1] < _FPS_STALE_S and times[-1] > times[0]:
                fps = (len(times) - 1) / (times[-1] - times[0])
            return CaptureStatus(
                state=self._state,
                source_name=self._source_name,
                fps=fps,
                frames=self._frames,
                dropped=self._dropped,
                reconnects=self._reconnects,
                last_error=self._last_error,
            )

    @property
    def stalls(self) -> int:
        """How many times a source call hung past ``stall_s`` and its reader was abandoned."""
        with self._cond:
            return self._stalls

    # -- the thread --------------------------------------------------------------------

    def _timed(self, generation: int, what: str) -> bool:
        """Note the start of a source call; False when this reader was abandoned."""
        with self._cond:
            if generation != self._generation:
                return False
            self._call = (what, time.monotonic())
            return True

    def _done(self, generation: int) -> bool:
        with self._cond:
            if generation != self._generation:
                return False
            self._call = None
            return True

    def _watch(self) -> None:
        """Abandon a reader stuck in one source call for longer than the stall limit.

        At most one abandoned reader is kept: while it is still stuck (a driver that never
        returns), the live reader is left waiting in its call instead of being replaced, so
        a stalled camera costs one thread, not one every ``stall_s``; the limit doubles
        with each stall (up to ``reconnect_max_s``) and comes back to ``stall_s`` with the
        first frame.
        """
        limit = self._stall_s
        while not self._stop.wait(_WATCH_EVERY_S):
            with self._cond:
                if self._state == "ok":
                    limit = self._stall_s
                call = self._call
                if call is None or time.monotonic() - call[1] < limit:
                    continue
                what = call[0]
                name = self._source_name or "frame source"
                self._abandoned = [t for t in self._abandoned if t.is_alive]
                if self._abandoned:
                    # the one abandoned reader is still stuck: wait for either to return
                    if self._state != "lost":
                        self._state = "lost"
                    self._last_error = f"{name} stalled: {what} has not returned"
                    continue
                self._generation += 1
                self._call = None
                self._stalls += 1
                generation = self._generation
                self._state = "lost"
                self._last_error = f"{name} stalled: {what} did not return in {limit:.1f} s"
                if self._thread is not None:
                    self._abandoned.append(self._thread)
                self._thread = self._reader(generation)
                thread = self._thread
                stalls = self._stalls
                limit = min(limit * 2, max(self._max_s, self._stall_s))
            if stalls == 1:
                logger.warning("%s; reconnecting with a new reader", self._last_error)
            else:
                logger.info("%s; reconnecting (stall %d)", self._last_error, stalls)
            thread.start()

    def _run(self, generation: int = 0) -> None:
        source: FrameSource | None = None
        backoff = Backoff(self._min_s, self._max_s)
        try:
            while not self._stop.is_set():
                try:
                    if source is None:
                        if not self._timed(generation, "opening"):
                            return
                        source = self._factory()
                        with self._cond:
                            self._source_name = source.name
                        source.open()
                        if not self._done(generation):
                            return
                    if not self._timed(generation, "read"):
                        return
                    frame = source.read()
                    if not self._done(generation):
                        return  # abandoned while stuck in read(): a new reader took over
                    if frame is None:
                        if self._stop_at_end and not getattr(source, "is_live", False):
                            logger.info("%s ended", source.name)
                            with self._cond:
                                self._state = "ended"
                            return
                        raise SourceError(f"{source.name} delivered no frame")
                except Exception as exc:  # any source failure is a loss, never a crash
                    _close_quietly(source)
                    source = None
                    if not self._done(generation):
                        return
                    delay = backoff.next()
                    self._mark_lost(exc, delay)
                    if self._stop.wait(delay):
                        return
                    continue
                self._publish(frame)
                backoff.reset()
        finally:
            _close_quietly(source)
            with self._cond:
                if generation == self._generation:  # an abandoned reader finishes nothing
                    self._finished = True
                    self._cond.notify_all()

    def _mark_lost(self, exc: Exception, delay: float) -> None:
        with self._cond:
            first = self._state != "lost"
            self._state = "lost"
            self._last_error = str(exc) or type(exc).__name__
            name = self._source_name or "frame source"
        unexpected = not isinstance(exc, SourceError)
        if first:
            logger.warning("%s lost: %s; retrying in %.1f s", name, exc, delay, exc_info=unexpected)
        else:
            logger.info("%s still unavailable: %s; retrying in %.1f s", name, exc, delay)

    def _publish(self, frame: Frame) -> None:
        now = time.monotonic()
        with self._cond:
            # A dropped frame's seam is handed on with the frame that replaces it.
            seam = frame.discontinuity
            if self._latest is not None and not self._taken:
                self._dropped += 1
                seam = seam or self._latest.discontinuity
            self._latest = Frame(
                image=frame.image,
                t=frame.t,
                index=self._frames,
                media_t=frame.media_t,
                discontinuity=seam,
            )
            self._taken = False
            self._frames += 1
            self._publish_times.append(now)
            if self._state != "ok":
                if self._state == "lost":
                    self._reconnects += 1
                    logger.info("%s recovered (reconnect %d)", self._source_name, self._reconnects)
                self._state = "ok"
            self._cond.notify_all()


def _close_quietly(source: FrameSource | None) -> None:
    if source is None:
        return
    try:
        source.close()
    except Exception as exc:
        logger.debug("closing %s failed: %s", source.name, exc)
