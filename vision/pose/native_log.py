"""Keep MediaPipe's native log lines out of the journal: into our log, at debug level.

Loading a pose model makes LiteRT and absl print ~50 lines straight to file descriptor 2
("Sparsity tensors may not yet be fully supported", "Created TensorFlow Lite XNNPACK
delegate", ...), below Python, where no environment variable tried (GLOG_minloglevel,
TF_CPP_MIN_LOG_LEVEL) silences them all. Around the calls that print them (model load, the
first inference, close) fd 2 is pointed at a temporary file, and its lines are logged here.

Python's own stderr is first moved onto a duplicate of fd 2 (same terminal or journal
stream), with logging handlers following it, so log records written by other threads during
the window still reach the journal instead of being swallowed. Native error lines (absl
``E``/``F`` prefixes, "ERROR:") are logged as warnings, not hidden at debug.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

logger = logging.getLogger("vision.native")

_lock = threading.RLock()
_depth = 0
_detached = False
#: absl/glog severity prefixes (E0000 ..., F0000 ...) and LiteRT's "ERROR:" lines.
_SERIOUS = re.compile(r"^(?:[EF]\d{4} |ERROR:|FATAL)")


def _detach_python_stderr() -> None:
    """Once: make ``sys.stderr`` (and handlers on it) write to a duplicate of fd 2."""
    global _detached
    if _detached:
        return
    _detached = True
    old = sys.stderr
    try:
        if old is None or old.fileno() != 2:
            return  # already not fd 2 (pytest's capture, a redirected stream): nothing to do
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return
    old.flush()
    new = os.fdopen(
        os.dup(2),
        "w",
        buffering=1,
        encoding=getattr(old, "encoding", None) or "utf-8",
        errors=getattr(old, "errors", None) or "backslashreplace",
    )
    for name in [None, *logging.root.manager.loggerDict]:
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.setStream(new)
    sys.stderr = new


@contextlib.contextmanager
def native_stderr_to_log() -> Iterator[None]:
    """Capture what native code writes to fd 2 inside the block; log it afterwards.

    Re-entrant and thread-safe (fd 2 is one per process, so only the outermost block
    redirects). Never raises on its own account: without a usable fd 2 it does nothing.
    """
    global _depth
    with _lock:
        if _depth:
            _depth += 1
            try:
                yield
            finally:
                _depth -= 1
            return
        _detach_python_stderr()
        try:
            saved = os.dup(2)
        except OSError:  # no fd 2 at all (a daemon with closed descriptors)
            yield
            return
        with tempfile.TemporaryFile() as sink:
            _depth = 1
            try:
                os.dup2(sink.fileno(), 2)
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                _depth = 0
                sink.seek(0)
                _log_lines(sink.read().decode("utf-8", errors="replace"))


def _log_lines(text: str) -> None:
    for line in text.splitlines():
        line = line.rstrip()
        if line:
            level = logging.WARNING if _SERIOUS.match(line) else logging.DEBUG
            logger.log(level, "%s", line)
