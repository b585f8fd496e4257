"""A whole session coached like a trainer: a lean never hidden by its baseline, the block's
direction in every cue, countdowns before block changes, cues that hold, every cue recorded.

Members are synthetic walkers (tests/support/synthetic_walker.py) driven through the real
analyzer, session run and cue engine; a leaning member is made by turning the person.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.synthetic_walker import SyntheticWalker

from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.session import cue_catalog as catalog
from kiosk.session.cue_catalog import ESCALATED_CUES, FAULT_CUES
from kiosk.session.lifecycle import MemberSessions
from kiosk.session.plans import SessionPlan
from kiosk.session.running import SessionRun
from vision.metrics.analyzer import PostureAnalyzer
from vision.metrics.baseline import Baseline, BaselineCollector
from vision.types import Event, FrameResult

FPS = 30
#: Cue words by key, whatever the catalog's layout (old and new).
FAULT_TEXTS = {
    c.key: c.text
    for table in (FAULT_CUES, ESCALATED_CUES, getattr(catalog, "FORWARD_FAULT_CUES", {}))
    for c in table.values()
}


class AnalyzerVision:
    """The part of the vision service a session uses, around a real analyzer (no camera)."""

    def __init__(self, cfg: BackstepConfig, frame_size: tuple[int, int]) -> None:
        self.analyzer = PostureAnalyzer(
            cfg.posture, safety=cfg.safety, zone=cfg.zone, view="side", frame_size=frame_size
        )
        self.walking: list[tuple[str | None, str | None]] = []

    @property
    def baseline(self) -> Baseline | None:
        return self.analyzer.baseline

    def set_baseline(self, baseline: Baseline | None) -> None:
        self.analyzer.set_baseline(baseline)

    def reset_session(self) -> None:
        self.analyzer.reset()

    def set_incline(self, percent: float) -> None:
        self.analyzer.set_incline(percent)

    def set_walking(self, direction: str | None, console_side: str | None = None) -> None:
        self.walking.append((direction, console_side))
        self.analyzer.set_walking(direction, console_side)


class ListRecorder:
    """Keeps what a session records (the store's own recorder is tested in kiosk/store)."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, dict[str, Any]]] = []

    def start(self, *_: object) -> None:
        pass

    def add_event(self, t: float, kind: str, data: dict[str, Any] | None = None) -> None:
        self.events.append((t, kind, dict(data or {})))

    def add_events(self, events: list[Event]) -> None:
        for e in events:
            self.add_event(e.t, e.kind, e.data)

    def add_samples(self, *_: object) -> None:
        pass

    def finish(self, *_: object) -> None:
        pass

    def cues(self) -> list[dict[str, Any]]:
        return [dict(data, t=t) for t, kind, data in self.events if kind == "cue"]


def drive(run: SessionRun, vision: AnalyzerVision, walker_at: Any, start: float, end: float):
    """Feed frames from ``walker_at(t)`` (a pose or None) between ``start`` and ``end``."""
    shown = []
    for i in range(round((end - start) * FPS)):
        t = start + i / FPS
        pose = walker_at(t)
        metrics, events = vision.analyzer.update(t, pose)
        result = FrameResult(round(t * FPS), t, t, (640, 480), metrics=metrics)
        run.update(t, result, events)
        cue = run.cues.current
        shown.append((t, None if cue is None else cue.key))
    return shown


# -- 1. a lean is never praised --------------------------------------------------------------


def walking_baseline(walker: SyntheticWalker, cfg: BackstepConfig) -> Baseline:
    collector = BaselineCollector(3.0, posture=cfg.posture, view="side")
    for t, pose in walker.sequence(15.0):
        collector.add(t, pose, walker.p.frame_size)
        if collector.is_done:
            break
    baseline = collector.result()
    assert baseline is not None and baseline.kind == "walking"
    return baseline


def test_a_member_whose_walking_baseline_leans_forward_is_coached_not_praised(
    tmp_path: Path,
) -> None:
    from kiosk.store.database import Store

    cfg = BackstepConfig.model_validate(
        {"programs": {"back": [{"kind": "backward", "minutes": 2, "speed_mph": 1.0}]}}
    )
    # the PERSON is turned 15 deg forward (the camera stays level)
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=15.0, cadence_spm=100)
    vision = AnalyzerVision(cfg, walker.p.frame_size)
    vision.set_baseline(walking_baseline(walker, cfg))
    with Store(tmp_path / "db.sqlite3") as store:
        sessions = MemberSessions(cfg, store, vision, lambda msg: None)  # type: ignore[arg-type]
        run = sessions.begin(None, 0.0, "captured")
        sid = run.recorder.wait_started(5.0)
        shown = drive(run, vision, walker.pose_at, 0.0, 40.0)
        sessions.end(run, None, 40.0)
        sessions.close()
        events = store.events(sid)
    keys = {k for _, k in shown if k}
    assert "tallest_posture" in keys  # told at once
    assert "chest_up" in keys  # and coached against the band's edge
    assert not keys & {"keep_going", "steady", "tall", "strong", "praise_tall"}
    assert vision.baseline is not None and vision.baseline.trunk_lean_deg == pytest.approx(3.6)
    # the record says the baseline leaned, and what was said
    baseline = next(e.data for e in events if e.kind == "baseline")
    assert baseline["outside_band"] is True and baseline["judged_from_deg"] == 3.6
    assert baseline["measured_lean_deg"] == pytest.approx(15.0, abs=1.5)
    said = [e.data["key"] for e in events if e.kind == "cue"]
    assert said[0] == "tallest_posture" and "chest_up" in said


def test_a_rolled_camera_is_not_taken_for_a_lean_once_staff_set_its_roll() -> None:
    """Rolling the FRAME (not the person) by 6 deg: with posture.camera_roll_deg the
    baseline reads upright, no note, no lean cue."""
    from support.synthetic_walker import WalkerParams

    cfg = BackstepConfig.model_validate({"posture": {"camera_roll_deg": 6.0}})
    walker = SyntheticWalker(WalkerParams(view="side", facing="left", cadence_spm=100))
    rolled = _rolled(walker, 6.0)
    collector = BaselineCollector(3.0, posture=cfg.posture, view="side")
    for t in [i / FPS for i in range(15 * FPS)]:
        collector.add(t, rolled(t), walker.p.frame_size)
        if collector.is_done:
            break
    baseline = collector.result()
    assert baseline is not None
    assert baseline.trunk_lean_deg == pytest.approx(0.0, abs=1.0)
    # the same frames without the setting: the roll reads as a 6 deg lean (she faces left)
    plain = BaselineCollector(3.0, posture=BackstepConfig().posture, view="side")
    for t in [i / FPS for i in range(15 * FPS)]:
        plain.add(t, rolled(t), walker.p.frame_size)
        if plain.is_done:
            break
    unrolled = plain.result()
    assert unrolled is not None and unrolled.trunk_lean_deg is not None
    assert abs(unrolled.trunk_lean_deg) == pytest.approx(6.0, abs=1.0)


def _rolled(walker: SyntheticWalker, deg: float):
    """Poses of ``walker`` seen by a camera rolled ``deg`` (a vertical line leans image-right)."""
    import math

    import numpy as np

    from vision.types import Pose

    w, h = walker.p.frame_size
    a = math.radians(deg)

    def at(t: float) -> Pose:
        pose = walker.pose_at(t)
        img = pose.image.copy()
        x, y = img[:, 0] * w - w / 2, img[:, 1] * h - h / 2
        # up is -y: a vertical line's top moves to +x
        img[:, 0] = (x * math.cos(a) - y * math.sin(a) + w / 2) / w
        img[:, 1] = (x * math.sin(a) + y * math.cos(a) + h / 2) / h
        return Pose(image=np.ascontiguousarray(img), world=pose.world)

    return at


# -- 2. direction-aware coaching -------------------------------------------------------------

ZONE = {"x0": 0.1, "y0": 0.0, "x1": 0.9, "y1": 1.0}


@pytest.mark.parametrize(
    ("kind", "facing", "center_x", "key", "words"),
    [
        # console on the image left. Backward block: she faces right (the rear end).
        ("backward", "right", 0.7, "step_back", "Longer steps back"),
        (
            "backward",
            "right",
            0.2,
            "ease_off",
            "Shorter steps, ease off: the console is behind you",
        ),
        # Forward block: she faces left (the console).
        ("forward", "left", 0.7, "step_up", "Step up toward the console"),
        ("forward", "left", 0.2, "drop_back", "Drop back a little"),
    ],
)
def test_drift_cues_follow_the_blocks_direction_at_both_belt_ends(
    kind: str, facing: str, center_x: float, key: str, words: str
) -> None:
    cfg = BackstepConfig.model_validate({"zone": ZONE, "safety": {"console_side": "left"}})
    walker = SyntheticWalker(view="side", facing=facing, center_x=center_x, cadence_spm=100)
    vision = AnalyzerVision(cfg, walker.p.frame_size)
    plan = SessionPlan.from_blocks("p", [ProgramBlock(kind=kind, minutes=1, speed_mph=1)])
    recorder = ListRecorder()
    run = SessionRun(cfg, plan, "Guest", recorder)
    run.on_walking = vision.set_walking
    run.start(0.0)
    drive(run, vision, walker.pose_at, 0.0, 12.0)
    said = [c for c in recorder.cues() if c["level"] != "praise"]
    assert said and said[0]["key"] == key and said[0]["text"] == words
    assert {c["direction"] for c in said} == {kind}
    assert not any("slow down" in c["text"].lower() for c in said)


@pytest.mark.parametrize(
    ("center_x", "words"), [(0.2, "Drop back a little"), (0.7, "Step up toward the console")]
)
def test_a_forward_walker_is_coached_as_a_forward_walker(center_x: float, words: str) -> None:
    """Under "Walk FORWARD" the member faces the console (on the image left here, the
    station left on "auto"): near it she drops back, near the rear end she steps up; never
    "Slow down — the console is right behind you" nor "steps back"."""
    cfg = BackstepConfig.model_validate(
        {"zone": ZONE, "programs": {"fwd": [{"kind": "forward", "minutes": 1, "speed_mph": 2}]}}
    )
    walker = SyntheticWalker(view="side", facing="left", center_x=center_x, cadence_spm=100)
    vision = AnalyzerVision(cfg, walker.p.frame_size)
    sessions = MemberSessions(cfg, None, vision, lambda msg: None)  # type: ignore[arg-type]
    run = sessions.begin(None, 0.0, "none", record=False)
    shown = drive(run, vision, walker.pose_at, 0.0, 12.0)
    texts = {FAULT_TEXTS.get(k, k) for _, k in shown if k}
    assert words in texts, texts
    assert not any("slow down" in t.lower() or "steps back" in t.lower() for t in texts)


def test_a_member_walking_the_wrong_way_for_the_block_is_told_once() -> None:
    cfg = BackstepConfig.model_validate({"zone": ZONE, "safety": {"console_side": "left"}})
    # a backward block, but she faces the console (left) and walks forward in mid-belt
    walker = SyntheticWalker(view="side", facing="left", center_x=0.5, cadence_spm=100)
    vision = AnalyzerVision(cfg, walker.p.frame_size)
    plan = SessionPlan.from_blocks("p", [ProgramBlock(kind="backward", minutes=2, speed_mph=1)])
    recorder = ListRecorder()
    run = SessionRun(cfg, plan, "Guest", recorder)
    run.on_walking = vision.set_walking
    run.start(0.0)
    drive(run, vision, walker.pose_at, 0.0, 40.0)
    turns = [c for c in recorder.cues() if c["key"] == "turn_backward"]
    assert len(turns) == 1
    assert "facing the back" in turns[0]["text"]


# -- 3. block transitions --------------------------------------------------------------------


def test_a_change_of_direction_gets_a_countdown_with_its_own_tone_and_then_settles() -> None:
    cfg = BackstepConfig.model_validate({"zone": ZONE, "safety": {"console_side": "left"}})
    plan = SessionPlan.from_blocks(
        "p",
        [
            ProgramBlock(kind="warmup", minutes=0.5, speed_mph=2),
            ProgramBlock(kind="backward", minutes=0.5, speed_mph=1),
        ],
    )
    recorder = ListRecorder()
    run = SessionRun(cfg, plan, "Guest", recorder)
    run.start(0.0)
    # near the rear end the whole time: a drift fault at once in each block
    fwd = SyntheticWalker(view="side", facing="left", center_x=0.85, cadence_spm=100)
    back = SyntheticWalker(view="side", facing="right", center_x=0.85, cadence_spm=100)
    vision = AnalyzerVision(cfg, fwd.p.frame_size)
    run.on_walking = vision.set_walking
    run.on_walking("forward", None)
    tones = []
    for t in [i / FPS for i in range(55 * FPS)]:
        pose = (fwd if t < 30 else back).pose_at(t)
        metrics, events = vision.analyzer.update(t, pose)
        run.update(t, FrameResult(round(t * FPS), t, t, (640, 480), metrics=metrics), events)
        item = run.take_announcement()
        overlay = run.view(t).transition  # the screen asks every frame
        if item is not None:
            tones.append((round(t, 2), item.key, item.tone))
            if item.key == "transition":
                assert overlay is not None  # the overlay shows with the banner, not later
        if 25.5 < t < 29.9:
            assert overlay is not None and 1 <= overlay.seconds_left <= 5
    countdowns = [x for x in tones if x[1] == "transition"]
    assert len(countdowns) == 1 and countdowns[0][2] == "transition"
    assert countdowns[0][0] == pytest.approx(25.0, abs=0.1)
    text = next(c for c in recorder.cues() if c["key"] == "transition")["text"]
    assert text == "Hold the rails · slow the belt to 1 mph · turn to face the back"
    # nothing but the countdown between 25 s and the change, and no fault while settling
    assert [k for t, k, _ in tones if 25.0 <= t < 30.0] == ["transition"]
    after = [(t, k) for t, k, _ in tones if t >= 30.0]
    assert after and after[0][0] >= 30.0 + 2.0  # steps or 5 s settle, then the fault
    assert after[0][1] == "step_back"  # the backward block's words


# -- 7. every cue is an event in the session record -------------------------------------------


def test_every_cue_shown_is_recorded_with_its_block_and_direction() -> None:
    cfg = BackstepConfig.model_validate({"zone": ZONE, "safety": {"console_side": "left"}})
    walker = SyntheticWalker(view="side", facing="right", center_x=0.85, cadence_spm=100)
    vision = AnalyzerVision(cfg, walker.p.frame_size)
    plan = SessionPlan.from_blocks("p", [ProgramBlock(kind="backward", minutes=1, speed_mph=1)])
    recorder = ListRecorder()
    run = SessionRun(cfg, plan, "Guest", recorder)
    run.on_walking = vision.set_walking
    run.start(0.0)
    shown = drive(run, vision, walker.pose_at, 0.0, 30.0)
    pairs = zip(shown, [(0.0, None), *shown], strict=False)
    ups = [k for (_, k), (_, prev) in pairs if k and k != prev]
    recorded = [c for c in recorder.cues() if not c["reminder"]]
    assert [c["key"] for c in recorded] == ups
    for c in recorded:
        assert c["block"] == "Backward" and c["direction"] == "backward"
        assert c["text"] and c["level"]
