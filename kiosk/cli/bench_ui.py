"""``backstep bench --ui``: the kiosk's UI cost and start-up time, each in a fresh process.

The UI runs are ``backstep run --headless --source demo`` at each supported size, with a guest
session on screen from the fourth second (the screen a member reads for minutes, with the most
on it), pinned with ``taskset`` (or the same ``sched_setaffinity`` call) to ``cores`` cores, so
the UI shares them with the pose workers: on a Pi the worst case. Each prints its run summary,
of which ``ui_fps`` and ``ui_cpu_ms_per_frame`` are kept. The start-up run starts the vision
service on the demo clip in a new interpreter and reports when the first camera frame and the
first pose were there, counted from before the process was started (Linux's monotonic clock is
shared by all processes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: The screen sizes the kiosk supports (docs/benchmarks.md).
UI_SIZES = ((800, 480), (1280, 720), (1920, 1080))
#: Targets from issue #13: UI CPU per frame at 1280x720 and 1920x1080, and 30 fps.
UI_CPU_TARGET_MS = {(1280, 720): 3.0, (1920, 1080): 5.0}
UI_FPS_TARGET = 30.0
FIRST_FRAME_TARGET_S = 0.5
FIRST_POSE_TARGET_S = 1.0
#: Start, walk as a guest, skip the position check and the baseline: the session screen at 4 s.
SESSION_PRESSES = "1:start,2:select,3:start,4:start"


@dataclass
class UiRun:
    """One size's run summary figures."""

    size: tuple[int, int]
    ui_fps: float | None
    ui_cpu_ms_per_frame: float | None
    pose_fps: float | None
    error: str | None = None
    screens: tuple[str, ...] = ()  # the screens the run showed, in order


def _python_cmd(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _pinned(cmd: list[str], cores: int | None) -> tuple[list[str], Callable[[], None] | None]:
    """``cmd`` run on the first ``cores`` cores: through taskset if there, else preexec."""
    if cores is None:
        return cmd, None
    allowed = sorted(os.sched_getaffinity(0))[:cores]
    taskset = shutil.which("taskset")
    if taskset:
        return [taskset, "-c", ",".join(map(str, allowed)), *cmd], None

    def pin() -> None:
        os.sched_setaffinity(0, allowed)

    return cmd, pin


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "dummy")
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    # The child imports this very code (a worktree's PYTHONPATH, or the installed package).
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def ui_run(size: tuple[int, int], seconds: float, cores: int | None, config: Path | None) -> UiRun:
    """``backstep run`` at ``size`` for ``seconds``; its summary's UI figures."""
    args = ["run", "--headless", "--source", "demo", "--seconds", str(seconds)]
    args += ["--size", f"{size[0]}x{size[1]}", "--press", SESSION_PRESSES]
    if config is not None:
        args += ["--config", str(config)]
    code = f"import sys; sys.argv = ['backstep', *{args!r}]; from kiosk.cli import main; main()"
    cmd, pin = _pinned(_python_cmd(code), cores)
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=seconds + 120,
        preexec_fn=pin,
        check=False,
    )
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            return UiRun(
                size,
                summary.get("ui_fps"),
                summary.get("ui_cpu_ms_per_frame"),
                summary.get("pose_fps"),
                screens=tuple(summary.get("states_seen", ())),
            )
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return UiRun(size, None, None, None, error=f"exit {proc.returncode}: {tail}")


STARTUP_CODE = """
import json, time
from kiosk.config.schema import BackstepConfig
from vision.loop.service import VisionService
from vision.pose.model import ensure_model
config = BackstepConfig()
service = VisionService(config, "demo", model_path=ensure_model(config.model))
frame = pose = None
service.start()
deadline = time.monotonic() + 30
while pose is None and time.monotonic() < deadline:
    now = time.monotonic()
    if frame is None and service.latest_frame() is not None:
        frame = now
    result = service.latest_result()
    if result is not None and result.person:
        pose = now
    time.sleep(0.002)
service.stop()
print(json.dumps({"first_frame": frame, "first_pose": pose}))
"""


def startup_run(cores: int | None) -> tuple[float | None, float | None]:
    """Seconds from process start to the first camera frame and to the first pose."""
    cmd, pin = _pinned(_python_cmd(STARTUP_CODE), cores)
    t0 = time.monotonic()
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        preexec_fn=pin,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return None, None
    data = json.loads(lines[-1])
    frame, pose = data.get("first_frame"), data.get("first_pose")
    return (None if frame is None else frame - t0), (None if pose is None else pose - t0)


def format_ui(
    runs: list[UiRun], cores: int | None, startup: tuple[float | None, float | None]
) -> str:
    """A Markdown table of the UI runs and the start-up times, with the targets."""
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    pinned = "not pinned" if cores is None else f"pinned to {cores} core(s) with the pose workers"
    lines = [
        f"UI: backstep run --headless (SDL dummy display), demo clip, a guest session from "
        f"4 s, {pinned}; "
        f"load average {load}",
        "",
        "| size | ui fps | UI CPU ms/frame | target | pose fps |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        w, h = run.size
        target = UI_CPU_TARGET_MS.get(run.size)
        if run.error:
            lines.append(f"| {w}x{h} | failed: {run.error} | | | |")
            continue
        verdict = "-"
        if target is not None and run.ui_cpu_ms_per_frame is not None:
            ok = run.ui_cpu_ms_per_frame <= target
            verdict = f"<= {target:g} {'ok' if ok else 'MISSED'}"
        lines.append(
            f"| {w}x{h} | {_num(run.ui_fps)} | {_num(run.ui_cpu_ms_per_frame, 2)} | "
            f"{verdict} | {_num(run.pose_fps)} |"
        )
    frame, pose = startup
    lines += [
        "",
        f"start-up (fresh process to vision service): first camera frame {_num(frame, 2)} s "
        f"(target <= {FIRST_FRAME_TARGET_S}), first pose {_num(pose, 2)} s "
        f"(target <= {FIRST_POSE_TARGET_S})",
    ]
    return "\n".join(lines)


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
