"""A stand-in for Raspberry Pi OS's ``rpicam-vid``: raw I420 frames of a video clip on stdout.

Tests put a ``rpicam-vid`` wrapper that runs this script first on PATH (`install_standin`).
It takes the arguments the kiosk passes (``-t 0 -n --codec yuv420 --width W --height H
--framerate F --verbose 0 -o -``) and fails the ways the real tool does, chosen with
``RPICAM_STANDIN``:

- ``ok`` (default): frames of ``RPICAM_STANDIN_CLIP`` (looped), resized to W x H, converted
  to I420, paced at F frames/s, until killed;
- ``busy``: another process holds the camera: libcamera's INFO line and rpicam-apps'
  ``ERROR: *** failed to acquire camera <id> ***`` on stderr, exit status 255 (rpicam-apps
  catches the exception in ``main`` and returns -1), as in raspberrypi/rpicam-apps reports;
- ``none``: no camera connected: ``ERROR: *** no cameras available ***``, exit 255;
  ``--list-cameras`` then prints ``No cameras available!``;
- ``die:N``: N frames, then rpicam-apps' ``ERROR: Device timeout detected, attempting a
  restart!!!`` line and exit 255 (a camera lost mid-stream; the real tool may first retry);
- ``hang:N``: N frames, then silence while staying alive (a wedged driver).

Each run appends one line (its pid and mode) to ``RPICAM_STANDIN_LOG`` when set, so a test
can count how many times the kiosk started it.
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import time
from pathlib import Path

CAMERA_ID = "/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a"


def install_standin(bin_dir: Path) -> Path:
    """Write an executable ``rpicam-vid`` into ``bin_dir`` that runs this script."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "rpicam-vid"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" "$@"\n')
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


def _fail(message: str) -> None:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()
    sys.exit(255)


def main() -> None:
    """Behave like ``rpicam-vid`` for the options the kiosk uses."""
    mode = os.environ.get("RPICAM_STANDIN", "ok")
    log = os.environ.get("RPICAM_STANDIN_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {mode}\n")
    if "--list-cameras" in sys.argv:
        if mode == "none":
            print("No cameras available!")
        else:
            print("Available cameras\n-----------------")
            print(f"0 : imx708 [4608x2592 10-bit RGGB] ({CAMERA_ID})")
        return
    parser = argparse.ArgumentParser(prog="rpicam-vid")
    parser.add_argument("--camera", type=int, default=0)
    parser.add_argument("-t", "--timeout", default="5000")
    parser.add_argument("-n", "--nopreview", action="store_true")
    parser.add_argument("--codec", default="h264")
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--framerate", type=float, default=30.0)
    parser.add_argument("--verbose", default="1")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    if args.codec != "yuv420" or args.output != "-" or args.timeout != "0":
        _fail(f"stand-in: unsupported options {sys.argv[1:]}")
    time.sleep(0.1)  # libcamera enumerating the camera
    if mode == "busy":
        sys.stderr.write(
            "[0:00:41.1] [2747]  INFO Camera camera.cpp:1008 Pipeline handler in use by "
            "another process\n"
        )
        _fail(f"ERROR: *** failed to acquire camera {CAMERA_ID} ***")
    if mode == "none":
        _fail("ERROR: *** no cameras available ***")
    limit = int(mode.split(":", 1)[1]) if mode.startswith(("die:", "hang:")) else None
    clip = Path(os.environ["RPICAM_STANDIN_CLIP"])
    stream(clip, args.width, args.height, args.framerate, limit, hang=mode.startswith("hang:"))


def stream(
    clip: Path, width: int, height: int, fps: float, limit: int | None, *, hang: bool = False
) -> None:
    """Write I420 frames of ``clip`` to stdout at ``fps`` until killed (or ``limit`` frames)."""
    import cv2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    out = sys.stdout.buffer
    cap = cv2.VideoCapture(str(clip))
    if not cap.isOpened():
        _fail(f"stand-in: cannot open {clip}")
    sent = 0
    next_t = time.monotonic()
    try:
        while limit is None or sent < limit:
            ok, bgr = cap.read()
            if not ok:
                cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                continue
            bgr = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
            out.write(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes())
            out.flush()
            sent += 1
            next_t += 1.0 / fps
            time.sleep(max(0.0, next_t - time.monotonic()))
    except BrokenPipeError:
        sys.exit(0)  # the reader closed the pipe: the kiosk stopped the camera
    if hang:
        while True:
            time.sleep(3600)
    _fail("ERROR: Device timeout detected, attempting a restart!!!")


if __name__ == "__main__":
    main()
