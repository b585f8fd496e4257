"""Logging: timestamps on a terminal, journald priority prefixes and no timestamps under systemd."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from kiosk.app.logs import setup_logging
from kiosk.config.schema import LoggingConfig


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[TextIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with open(tmp_path / "log.txt", "w+", encoding="utf-8") as stream:
        yield stream
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def emit(stream: TextIO) -> str:
    log = logging.getLogger("backstep.test")
    log.info("camera up")
    log.warning("camera lost")
    log.debug("hidden at INFO")
    stream.flush()
    stream.seek(0)
    return stream.read()


def test_a_terminal_gets_timestamps_and_level_names(
    log_file: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    setup_logging(LoggingConfig(level="INFO"), stream=log_file)
    lines = emit(log_file).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("INFO backstep.test: camera up")
    assert lines[0][:4].isdigit()  # the asctime year


def test_journald_gets_priority_prefixes_and_no_timestamps(
    log_file: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = os.fstat(log_file.fileno())
    monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
    setup_logging(LoggingConfig(level="INFO"), stream=log_file)
    assert emit(log_file).splitlines() == [
        "<6>backstep.test: camera up",
        "<4>backstep.test: camera lost",
    ]


def test_journal_stream_of_another_file_keeps_the_terminal_format(
    log_file: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "1:2")  # stderr went elsewhere (e.g. redirected)
    setup_logging(LoggingConfig(level="WARNING"), stream=log_file)
    lines = emit(log_file).splitlines()
    assert len(lines) == 1 and "WARNING backstep.test: camera lost" in lines[0]


def test_calling_setup_again_replaces_its_handler(log_file: TextIO) -> None:
    setup_logging(LoggingConfig(), stream=log_file)
    setup_logging(LoggingConfig(level="DEBUG"), stream=log_file)
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "backstep"]
    assert len(ours) == 1
    assert logging.getLogger().level == logging.DEBUG


def test_a_handler_already_on_the_same_stream_is_replaced(log_file: TextIO) -> None:
    logging.getLogger().addHandler(logging.StreamHandler(log_file))  # as basicConfig does
    setup_logging(LoggingConfig(), stream=log_file)
    assert emit(log_file).count("camera up") == 1
