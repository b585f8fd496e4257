"""Real kiosk runs for tests that need stored sessions: headless, on a fixture clip, QR check-in."""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import cv2
import numpy as np

from support.paths import FIXTURES

CLIP = FIXTURES / "single_person_front.mp4"
#: a real backward walker seen from the side (trunk lean is measured)
SIDE_CLIP = FIXTURES / "retro_walk_gym.mp4"
#: seconds walked on the session screen before STOP
WALK_S = 14.0


def clip_with_qr(text: str, out: Path, clip: Path = CLIP) -> Path:
    """``clip`` with a QR code for ``text`` pasted into every frame's top-left corner."""
    qr = cv2.QRCodeEncoder.create().encode(text)
    qr = cv2.resize(qr, (150, 150), interpolation=cv2.INTER_NEAREST)
    code = np.full((170, 170), 255, np.uint8)  # the quiet zone a printed code has
    code[10:160, 10:160] = qr
    reader = cv2.VideoCapture(str(clip))
    fps = reader.get(cv2.CAP_PROP_FPS) or 30.0
    writer: cv2.VideoWriter | None = None
    while True:
        ok, bgr = reader.read()
        if not ok:
            break
        if writer is None:
            h, w = bgr.shape[:2]
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
        bgr[5:175, 5:175] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
        writer.write(bgr)
    reader.release()
    assert writer is not None
    writer.release()
    return out


def run_member_session(
    cfg, member_id: str, workdir: Path, seconds: float = 60.0, clip: Path = CLIP
) -> dict:
    """Run the kiosk headless: the member checks in by QR, walks 14 s, presses stop.

    The walk is timed from the session screen, not from the run's start: on a busy machine
    (two test workers) the QR check-in can take seconds longer, and a stop at a fixed time
    would leave a session too short to chart. ``seconds`` only bounds the run. Returns the
    run summary of :meth:`KioskApp.run`; the session is in ``cfg``'s database.
    """
    from hw.events import ButtonEvent
    from kiosk.app.loop import KioskApp, RunOptions

    walked_from: list[float] = []

    def step(app: KioskApp) -> None:
        screen = app.controller.screen.value
        if screen in ("position", "baseline"):
            # the fixture's man sways too much for a still baseline: start skips it
            app.post_button(ButtonEvent("start", "press"))
        elif screen == "session" and not walked_from:
            walked_from.append(time.monotonic())
        elif screen == "session" and time.monotonic() - walked_from[0] >= WALK_S:
            app.post_button(ButtonEvent("stop", "press"))
        elif screen == "summary" and walked_from:
            app.post_button(ButtonEvent("start", "press"))  # done with the summary
            walked_from.append(-1.0)
        elif screen == "idle" and len(walked_from) > 1:
            app._stop("seconds")

    workdir.mkdir(parents=True, exist_ok=True)
    qr_clip = clip_with_qr(member_id, workdir / f"qr-{member_id}.mp4", clip)
    app = KioskApp(
        cfg,
        RunOptions(
            source=str(qr_clip),
            headless=True,
            seconds=seconds,
            size=(800, 480),
            presses="1:start",
            script=[(2.0 + 0.5 * i, step) for i in range(int((seconds - 2.0) / 0.5))],
        ),
    )
    started = time.monotonic()
    summary = app.run()
    summary["wall_s"] = time.monotonic() - started
    return summary
