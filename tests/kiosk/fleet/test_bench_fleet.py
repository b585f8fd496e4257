"""The fleet benchmark script runs (small) in CI, so it cannot rot; figures are not asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.paths import ROOT

pytestmark = pytest.mark.slow  # each test runs the fleet bench script


def test_fleet_bench_script_runs_and_reports_every_figure() -> None:
    script = ROOT / "tests" / "kiosk" / "fleet" / "bench_fleet.py"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    done = subprocess.run(
        [sys.executable, str(script), "--sessions", "30", "--samples", "60", "--lookups", "25"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["sessions"] == 30 and figures["sessions_per_s"] > 0
    assert figures["lookup_p95_ms"] > 0 and figures["ui_during_drain"]["fps"] > 0


def test_fleet_bench_kiosk_mode_runs_the_real_loop_and_drains() -> None:
    script = ROOT / "tests" / "kiosk" / "fleet" / "bench_fleet.py"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    done = subprocess.run(
        [sys.executable, str(script), "--kiosk", "--sessions", "20", "--samples", "60",
         "--seconds", "8"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # the kiosk's own sync thread emptied the pre-filled outbox into the server, no duplicate
    assert figures["waiting_before"] == 20 and figures["waiting_after"] == 0
    assert figures["sessions_on_server"] == 20
    assert figures["while_draining"]["ui_fps"] > 0 and figures["no_fleet"]["ui_fps"] > 0
