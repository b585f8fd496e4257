"""MediaPipe's native log lines go to our log at debug, not to stderr; the pygame banner is off."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.paths import ROOT

from vision.pose.estimator import create_landmarker
from vision.pose.model_check import close_landmarker
from vision.settings import ModelConfig


def test_a_real_model_load_writes_nothing_to_fd_2(
    model_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vision.native")
    landmarker = create_landmarker(model_path, ModelConfig())
    close_landmarker(landmarker)
    captured = capfd.readouterr()
    assert "Sparsity" not in captured.err and "XNNPACK" not in captured.err
    native = [r for r in caplog.records if r.name == "vision.native"]
    assert any("XNNPACK" in r.getMessage() for r in native)  # kept, in the log
    assert all(r.levelno == logging.DEBUG for r in native if "Sparsity" in r.getMessage())


SCRIPT = textwrap.dedent(
    """
    import logging, os, sys, threading
    logging.basicConfig(level=logging.{level}, format="%(name)s: %(message)s")
    from vision.pose.native_log import native_stderr_to_log
    with native_stderr_to_log():
        os.write(2, b"INFO: native chatter\\n")
        os.write(2, b"E0000 00:00 native trouble\\n")
        t = threading.Thread(target=lambda: logging.getLogger("app").warning("from a thread"))
        t.start(); t.join()
    os.write(2, b"after the window\\n")
    """
)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_only_native_writes_are_captured(level: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(level=level)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    err = done.stderr.splitlines()
    assert "app: from a thread" in err  # Python logging during the window still gets out
    assert "after the window" in err  # fd 2 is back afterwards
    assert "vision.native: E0000 00:00 native trouble" in err  # errors are not hidden
    assert "INFO: native chatter" not in err  # never raw on stderr
    assert ("vision.native: INFO: native chatter" in err) == (level == "DEBUG")


def test_backstep_sets_pygames_own_switch_for_its_banner() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import kiosk.cli, pygame"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYGAME_HIDE_SUPPORT_PROMPT"}
        | {"PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    assert done.stdout == ""
    bare = subprocess.run(
        [sys.executable, "-c", "import pygame"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYGAME_HIDE_SUPPORT_PROMPT"},
        timeout=60,
        check=True,
    )
    assert "pygame" in bare.stdout  # the banner this switch removes
