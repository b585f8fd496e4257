"""A whole program on the real walker clip, headless: warm-up forward, two backward blocks (a
pace change between them), cool-down forward. Every cue stored in the session record must be
right for its block's walking direction.

The clip (tests/fixtures/retro_walk_gym.mp4) shows a woman walking BACKWARD facing left. The
station's console is on the image left, so:

* forward blocks play the clip time-reversed: she walks FORWARD facing left (the console);
* backward blocks play it mirrored: she walks BACKWARD facing right (the rear end).

Each is also shifted toward the image right (a translation, not a rotation), which puts her
feet near the belt's rear end, so the drift cue must be said in each block's own words. The
pose model runs for real at 10 fps; the session (clock, cue engine, transitions, recorder)
runs on media time into a real SQLite store, whose ``cue`` events are read back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.clip_variants import read_clip
from support.paths import FIXTURES

from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.session.plans import SessionPlan
from kiosk.session.recorder import SessionRecorder
from kiosk.session.running import SessionRun
from kiosk.session.transitions import block_direction
from kiosk.store.database import Store
from vision.types import Frame

pytestmark = pytest.mark.slow

CLIP = FIXTURES / "retro_walk_gym.mp4"
FPS = 30.0
EVERY = 3  # 10 fps, a Pi's rate
SHIFT = 0.2  # of the frame width, toward the image right (the rear end)

PROGRAM = [
    ProgramBlock(kind="warmup", minutes=0.3, speed_mph=2.0),
    ProgramBlock(kind="backward", minutes=0.4, speed_mph=1.0),
    ProgramBlock(kind="backward", minutes=0.4, speed_mph=1.5),
    ProgramBlock(kind="cooldown", minutes=0.3, speed_mph=1.5),
]

#: Cue keys that belong to one direction only (their words are wrong in the other).
BACKWARD_ONLY = {"step_back", "step_back_again", "ease_off", "ease_off_again", "ball_of_foot"}
BACKWARD_ONLY |= {"ball_of_foot_again", "turn_backward", "drift_back"}
FORWARD_ONLY = {"step_up", "step_up_again", "drop_back", "drop_back_again", "turn_forward"}
FORWARD_ONLY |= {"drift_back_fwd"}


def shifted(image: np.ndarray) -> np.ndarray:
    """The picture moved right by ``SHIFT`` of its width (the left edge repeated)."""
    dx = int(image.shape[1] * SHIFT)
    out = np.empty_like(image)
    out[:, dx:] = image[:, :-dx]
    out[:, :dx] = image[:, :1]
    return out


def test_every_stored_cue_is_right_for_its_blocks_direction(
    model_path: Path, tmp_path: Path
) -> None:
    from vision.loop.pipeline import build_pipeline

    cfg = BackstepConfig()
    images = read_clip(CLIP)
    forward = [shifted(img) for img in images[::-1]]  # reversed: walking forward, facing left
    backward = [shifted(np.ascontiguousarray(img[:, ::-1])) for img in images]  # facing right
    plan = SessionPlan.from_blocks("whole", PROGRAM)
    pipeline = build_pipeline(cfg, model_path, use_media_time=True)
    store = Store(tmp_path / "db.sqlite3")
    recorder = SessionRecorder(store, background=False)
    run = SessionRun(cfg, plan, "Guest", recorder)
    run.on_walking = pipeline.analyzer.set_walking
    try:
        run.start(0.0)
        sid = recorder.session_id
        i = 0
        while not run.clock.is_finished:
            t = i / FPS
            clip = forward if run.direction == "forward" else backward
            frame = Frame(clip[i % len(clip)], t, i // EVERY, t)
            result = pipeline.process(frame)
            if run.update(t, result, result.events):
                break
            i += EVERY
        run.finish(i / FPS)
    finally:
        pipeline.close()
        recorder.close()
    assert sid is not None
    cues = [(e.t, e.data) for e in store.events(sid) if e.kind == "cue"]
    store.close()
    for t, d in cues:  # the log, shown with pytest -s
        print(f"{t:6.1f} {d['block']:<14} {d['direction']!s:<9} {d['level']:<10} {d['text']}")
    starts = plan.starts()
    assert cues, "a whole program says something"
    said = {d["key"] for _, d in cues}
    for t, data in cues:
        index = max(i for i, s in enumerate(starts) if s <= t + 1e-6)
        block = plan.blocks[index]
        assert data["block_index"] == index and data["block"] == block.label, (t, data)
        assert data["direction"] == block_direction(block), (t, data)
        wrong = FORWARD_ONLY if data["direction"] == "backward" else BACKWARD_ONLY
        assert data["key"] not in wrong, (t, data)
        assert data["text"] and data["level"]
    # she walks the way each block asks: never told to turn around
    assert not said & {"turn_backward", "turn_forward"}
    # near the rear end in every block: each direction's own drift words were said
    assert "step_up" in said and "step_back" in said
    # a countdown before each change of direction or pace, with what to do
    countdowns = [d["text"] for _, d in cues if d["key"] == "transition" and not d["reminder"]]
    assert countdowns == [
        "Hold the rails · slow the belt to 1 mph · turn to face the back",
        "Hold the rails · speed the belt up to 1.5 mph",
        "Hold the rails · slow the belt to 1 mph · turn to face the console · then 1.5 mph",
    ]
