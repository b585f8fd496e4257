"""Progress bars for long commands: on stderr, and only when stderr is a terminal.

stdout stays clean for data (JSON lines, CSV, paths); a pipe, a file or the journal gets no
bar at all, so logs and CI output are never filled with carriage returns.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


def on_terminal() -> bool:
    """True when stderr is an interactive terminal (where a bar belongs)."""
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


@contextmanager
def progress_bar(desc: str, total: int | None = None, unit: str = "it") -> Iterator[tqdm]:
    """A tqdm bar on stderr, disabled off a terminal; log lines print above it, not through it."""
    bar = tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not on_terminal(),
        leave=False,
        dynamic_ncols=True,
    )
    try:
        with logging_redirect_tqdm():
            yield bar
    finally:
        bar.close()


@contextmanager
def counted(desc: str, unit: str = "it") -> Iterator[Callable[[int], Callable[[], object]]]:
    """For code that learns its total late: ``start(total)`` returns the per-item ``tick``."""
    with progress_bar(desc, unit=unit) as bar:

        def start(total: int) -> Callable[[], object]:
            bar.reset(total=total)
            return bar.update

        yield start
