"""Test doubles: a camera that is unplugged and comes back, a ready camera, a call logger."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from support.paths import FIXTURES
from vision.errors import SourceError
from vision.sources.video import VideoFileSource
from vision.types import Frame

if TYPE_CHECKING:
    from vision.loop.capture import CaptureThread


class FlakyCamera:
    """A real clip behind a camera that is unplugged and plugged back in.

    It is a `FrameSource` itself and, through `factory`, a source factory: every open the
    capture thread makes shares its state. After ``die_after`` frames in all, reads raise
    ``error``; then the next ``failed_opens`` opens raise `SourceError`, and so does every
    open within ``outage_s`` seconds of the loss; after that it plays for good.
    `unplug` makes it gone from the start. It records what the tests check: open attempts,
    the capture thread's state at each (when ``capture`` is set), reopens, source indices.
    """

    is_live = True

    def __init__(
        self,
        die_after: int,
        *,
        failed_opens: int = 0,
        outage_s: float = 0.0,
        error: Exception | None = None,
        clip: Path = FIXTURES / "single_person_front.mp4",
        realtime: bool = False,
        name: str = "flaky",
    ) -> None:
        self.name = name
        self.die_after = die_after
        self.outage_s = outage_s
        self._failed_opens_left = failed_opens
        self._error = error if error is not None else SourceError("camera unplugged")
        self._video = VideoFileSource(clip, realtime=realtime, loop=True)
        self._back = False
        self.frames = 0
        self.died_at: float | None = None
        self.open_attempts = 0
        self.reopened = 0
        self.states_at_open: list[str] = []
        self.source_indices: list[int] = []
        self.capture: CaptureThread | None = None

    @property
    def is_gone(self) -> bool:
        """True between the loss and the successful reopen."""
        return self.died_at is not None and not self._back

    def unplug(self) -> None:
        """Gone from now on (for an outage of ``outage_s``)."""
        self.died_at = time.monotonic()

    def factory(self) -> FlakyCamera:
        """A source factory for the vision service: every open shares this camera."""
        return self

    def open(self) -> None:
        """Open the clip, or raise `SourceError` while the camera is unplugged."""
        self.open_attempts += 1
        if self.capture is not None:
            self.states_at_open.append(self.capture.status.state)
        if self.died_at is not None and not self._back:
            if self._failed_opens_left > 0:
                self._failed_opens_left -= 1
                raise SourceError(f"{self.name}: no such device")
            if time.monotonic() - self.died_at < self.outage_s:
                raise SourceError(f"{self.name}: no such device")
            self._back = True
            self.reopened += 1
        self._video.open()

    def read(self) -> Frame | None:
        """The next frame; raises ``error`` once ``die_after`` frames were delivered."""
        if self.is_gone:
            raise self._error
        if not self._back and self.frames >= self.die_after:
            self.unplug()
            raise self._error
        frame = self._video.read()
        if frame is not None:
            self.frames += 1
            self.source_indices.append(frame.index)
        return frame

    def close(self) -> None:
        """Release the clip (the capture thread closes a lost source before reopening)."""
        self._video.close()


class ListCamera:
    """A stand-in for `CaptureThread` whose next frame (from a list) is always waiting.

    ``wait_newer`` hands out the first frame after ``after_index`` at once; past the last
    one the camera stops (``is_running`` False) and returns None.
    """

    def __init__(self, frames: list[Frame]) -> None:
        self.frames = frames
        self._lock = threading.Lock()
        self.is_running = True

    def wait_newer(self, after_index: int | None, timeout: float) -> Frame | None:
        """The next frame after ``after_index``, or None once the list is done."""
        with self._lock:
            for frame in self.frames:
                if after_index is None or frame.index > after_index:
                    return frame
            self.is_running = False
            return None


class CallLog:
    """A proxy around a model object that writes ``label`` to ``log`` at each ``method`` call.

    Everything else is passed through, so the code under test keeps using the real model.
    """

    def __init__(self, inner: object, method: str, label: str, log: list[str]) -> None:
        self._inner, self._method, self._label, self._log = inner, method, label, log

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        def logged(*args: Any, **kwargs: Any) -> Any:
            self._log.append(self._label)
            return attr(*args, **kwargs)

        return logged
