"""What the running kiosk has proved since it started, for update.sh's post-switch check.

READY=1 goes to systemd when the screens draw (so staff see what is wrong), which proves
nothing about the camera or the model. The kiosk therefore also keeps a small JSON file
beside its database: when the model came up, when the first camera frame arrived, when the
first pose result came back for a camera frame, and whether the camera-lost screen showed.
``python -m kiosk.deploy.health wait`` (run by systemd/update.sh after the switch) waits for
those facts and fails, so the update rolls back, when they do not come.

The file is written from its own thread, only when a fact changes: never I/O on the UI loop.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Beside the station database, in the kiosk's data directory.
HEALTH_NAME = "kiosk-health.json"


@dataclass
class Health:
    """The facts the post-switch check needs; times are ``time.time()``, None = not yet."""

    pid: int
    started: float
    source: str = ""
    model: str = ""
    model_ready_at: float | None = None
    frame_at: float | None = None
    pose_at: float | None = None
    camera_lost_screen_at: float | None = None
    last_error: str | None = None


class HealthFile:
    """The kiosk's side: `observe` on every loop step (cheap), a thread writes on change."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / HEALTH_NAME
        self._health = Health(pid=os.getpid(), started=time.time())
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._closed = False
        self._warned = False
        self._dirty.set()
        self._worker = WorkerThread(self._write_loop, "backstep-health-file")
        self._worker.start()

    def observe(
        self, *, model: str, source: str, camera_ok: bool, pose: bool, lost_screen: bool,
        error: str | None,
    ) -> None:  # fmt: skip
        """Note this loop step's facts; the file is rewritten only when one changes."""
        h = self._health
        now = time.time()
        changed = False
        with self._lock:
            if model != h.model or source != h.source:
                h.model, h.source, changed = model, source, True
            if model == "ready" and h.model_ready_at is None:
                h.model_ready_at, changed = now, True
            if camera_ok and h.frame_at is None:
                h.frame_at, changed = now, True
            if pose and camera_ok and h.pose_at is None:
                h.pose_at, changed = now, True
            if lost_screen and h.camera_lost_screen_at is None:
                h.camera_lost_screen_at, changed = now, True
            if error != h.last_error and error is not None:
                h.last_error, changed = error, True
        if changed:
            self._dirty.set()

    def observe_step(self, facts: Any, result: object | None, screen: str) -> None:
        """`observe` from the kiosk loop's own objects (`StatusFacts`, the latest result)."""
        self.observe(
            model=facts.model,
            source=facts.source,
            camera_ok=facts.camera == "ok",
            pose=result is not None,
            lost_screen=screen == "CAMERA_LOST",
            error=facts.last_error,
        )

    def close(self) -> None:
        """Stop the writer thread (the file stays: it says what this run proved)."""
        self._closed = True
        self._dirty.set()
        self._worker.join(2.0)

    def _write_loop(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            with self._lock:
                text = json.dumps(asdict(self._health))
            try:
                part = self.path.with_name(self.path.name + ".part")
                part.write_text(text, encoding="utf-8")
                os.replace(part, self.path)
            except OSError as exc:
                if not self._warned:  # an unwritable data dir is the doctor's to report
                    logger.warning("cannot write %s: %s", self.path, exc)
                    self._warned = True
            if self._closed:
                return
            time.sleep(0.5)  # at most two writes a second, whatever the loop does


def read_health(path: Path) -> Health | None:
    """The facts in ``path``, or None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Health(**data)
    except (OSError, ValueError, TypeError):
        return None


def verdict(health: Health | None, since: float, need_camera: bool) -> tuple[str, str]:
    """("ok" | "wait", why) for a kiosk started at or after ``since``.

    Passes when the model is ready and a pose result came back for a camera frame; on a
    station without a camera (``need_camera`` False), the camera-lost screen with the
    model ready passes too.
    """
    if health is None or health.started < since:
        return "wait", "the new kiosk has not reported yet"
    if health.model_ready_at is None:
        why = f"model {health.model or 'not loaded'}"
        return "wait", why + (f" ({health.last_error})" if health.last_error else "")
    if health.frame_at is not None and health.pose_at is not None:
        return "ok", f"model loaded, camera frame from {health.source}, pose result"
    if health.frame_at is not None:
        return "wait", "camera frames arrive, no pose result yet"
    if not need_camera and health.camera_lost_screen_at is not None:
        return "ok", "model loaded, no camera here: the camera-lost screen shows"
    why = "no camera frame yet"
    return "wait", why + (f" ({health.last_error})" if health.last_error else "")


def main(argv: list[str] | None = None) -> int:
    """``wait FILE --since T [--previous FILE] [--timeout S]``: 0 when proved, else 1."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.deploy.health")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("wait", help="wait until the kiosk proves model, camera frame and pose")
    w.add_argument("file", type=Path)
    w.add_argument("--since", type=float, required=True, help="the switch time (epoch s)")
    w.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="the old kiosk's file: if it had camera frames, the new one must have them",
    )
    w.add_argument("--timeout", type=float, default=150.0)
    args = parser.parse_args(argv)
    before = read_health(args.previous) if args.previous else None
    need_camera = before is not None and before.frame_at is not None
    deadline = time.monotonic() + args.timeout
    while True:
        state, why = verdict(read_health(args.file), args.since, need_camera)
        if state == "ok":
            print(f"post-switch check: {why}")
            return 0
        if time.monotonic() >= deadline:
            need = " (the old version had camera frames)" if need_camera else ""
            print(
                f"post-switch check failed after {args.timeout:.0f} s: {why}{need}", file=sys.stderr
            )
            return 1
        time.sleep(1.0)


if __name__ == "__main__":
    sys.exit(main())
