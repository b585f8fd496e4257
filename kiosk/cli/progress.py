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


def _bar(desc: str, total: int | None, unit: str) -> tqdm:
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=not on_terminal(),
        leave=False,  # transient: the terminal keeps the command's result, not the bar
        dynamic_ncols=True,
    )


@contextmanager
def progress_bar(desc: str, total: int | None = None, unit: str = "it") -> Iterator[tqdm]:
    """A tqdm bar on stderr, disabled off a terminal; log lines print above it, not through it."""
    bar = _bar(desc, total, unit)
    try:
        with logging_redirect_tqdm():
            yield bar
    finally:
        bar.close()


@contextmanager
def counted(desc: str, unit: str = "it") -> Iterator[Callable[[int], Callable[[], object]]]:
    """For code that learns its total late: ``start(total)`` shows the bar, returns its tick."""
    bars: list[tqdm] = []

    def start(total: int) -> Callable[[], object]:
        bar = _bar(desc, total, unit)
        bars.append(bar)
        return bar.update

    try:
        with logging_redirect_tqdm():
            yield start
    finally:
        for bar in bars:
            bar.close()
