"""Log set-up: plain lines with timestamps on a terminal, journald-friendly lines under systemd."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from kiosk.config.schema import LoggingConfig

logger = logging.getLogger(__name__)

#: syslog priorities for the `<N>` prefix journald reads from stderr (SyslogLevelPrefix=yes).
_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}

TERMINAL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(name)s: %(message)s"


class JournalFormatter(logging.Formatter):
    """No timestamp (journald adds its own); the level becomes a syslog ``<N>`` prefix."""

    def __init__(self) -> None:
        super().__init__(JOURNAL_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        # Each line of a traceback gets the prefix, or journald files it at the default level.
        return "\n".join(f"<{priority}>{line}" for line in super().format(record).splitlines())


def is_journal_stream(stream: TextIO) -> bool:
    """True when ``stream`` goes to journald (``$JOURNAL_STREAM`` holds its device:inode)."""
    value = os.environ.get("JOURNAL_STREAM", "")
    if not value:
        return False
    try:
        device, inode = (int(part) for part in value.split(":", 1))
        st = os.fstat(stream.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (device, inode)


def setup_logging(cfg: LoggingConfig, stream: TextIO | None = None) -> logging.Handler:
    """Log at ``cfg.level`` to ``stream`` (default stderr); returns the handler installed.

    Replaces handlers this function installed before (a config reload may call it again) and
    any other root handler writing to the same stream, such as the CLI's ``basicConfig`` one,
    so no line is logged twice.
    """
    stream = sys.stderr if stream is None else stream
    handler = logging.StreamHandler(stream)
    handler.set_name("backstep")
    if is_journal_stream(stream):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(logging.Formatter(TERMINAL_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "backstep" or _writes_to(h, stream)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(cfg.level)
    return handler


def _writes_to(handler: logging.Handler, stream: TextIO) -> bool:
    return type(handler) is logging.StreamHandler and handler.stream is stream
