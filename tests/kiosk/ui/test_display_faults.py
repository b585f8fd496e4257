"""No display (kmsdrm without a screen): one clear line, a back-off under systemd, no traceback."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.paths import ROOT

from kiosk.app.lockdown import EXIT_NO_DISPLAY
from kiosk.config.schema import DisplayConfig
from kiosk.ui.display import DisplayError, open_display

no_drm = pytest.mark.skipif(bool(glob.glob("/dev/dri/card*")), reason="this machine has DRM")


def run_kiosk(
    tmp_path: Path, env: dict[str, str], toml: str = ""
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "backstep.toml"
    config.write_text("[cues]\nsound = false\n" + toml)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from kiosk.cli import main; main()",
            "run",
            "--config",
            str(config),
            "--source",
            "demo",
            "--seconds",
            "3",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SDL_VIDEODRIVER": "kmsdrm",
            "SDL_AUDIODRIVER": "dummy",
            "BACKSTEP_DATA_DIR": str(tmp_path / "data"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@no_drm
def test_no_kmsdrm_display_is_one_clear_line_and_a_distinct_exit(tmp_path: Path) -> None:
    done = run_kiosk(tmp_path, {})
    assert done.returncode == EXIT_NO_DISPLAY
    assert "Traceback" not in done.stderr
    assert "cannot open the display with SDL_VIDEODRIVER=kmsdrm" in done.stderr
    assert "Fix: connect the HDMI/DSI screen" in done.stderr


@no_drm
@pytest.mark.slow
def test_under_systemd_a_missing_display_is_retried_with_backoff(tmp_path: Path) -> None:
    start = time.monotonic()
    done = run_kiosk(tmp_path, {"INVOCATION_ID": "0123456789abcdef"}, "[display]\nwait_s = 5\n")
    took = time.monotonic() - start
    assert done.returncode == EXIT_NO_DISPLAY
    assert "retrying for 5 s" in done.stderr
    assert "still no display (attempt 2)" in done.stderr
    assert took >= 5.0
    assert "Traceback" not in done.stderr


def test_open_display_backs_off_between_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-driver")
    pauses: list[float] = []
    with pytest.raises(DisplayError, match="no-such-driver"):
        open_display(DisplayConfig(), False, None, wait_s=0.05, sleep=pauses.append)
    assert pauses and pauses[0] <= 2.0
