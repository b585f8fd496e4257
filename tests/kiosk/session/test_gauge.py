"""One honest picture: the lean gauge, the word, the colour and the cue agree.

The gauge is centred on the member's baseline and shows the limits in force; its needle tilts
the way the body tilts in the picture the member sees (mirrored or not); without a baseline
the screen and the session record say that posture is judged on the safety limits alone.
"""

from __future__ import annotations

import pytest
from support.synthetic_walker import SyntheticWalker

from kiosk.config.schema import BackstepConfig
from kiosk.session.plans import SessionPlan
from kiosk.session.running import SessionRun, gauge_points_right, lean_reading
from vision.metrics.analyzer import PostureAnalyzer
from vision.metrics.baseline import Baseline
from vision.types import FrameMetrics


def _metrics(lean: float, baseline: Baseline | None, view="side", facing="right"):
    kw = {"lateral_lean_deg": lean} if view == "front" else {"trunk_lean_deg": lean}
    walker = SyntheticWalker(view=view, facing=facing, walking=False, **kw)
    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    analyzer.set_baseline(baseline)
    m = FrameMetrics()
    for t, pose in walker.sequence(0.5):
        m, _ = analyzer.update(t, pose)
    return m


@pytest.mark.parametrize("lean", [-20.0, -14.0, -9.0, -4.0, 0.0, 4.0, 9.0, 13.0, 20.0])
def test_the_needle_is_past_a_limit_exactly_when_the_word_says_leaning(lean: float) -> None:
    # The member's own upright posture reads -8 deg (a landmark offset seen on real footage).
    baseline = Baseline(view="side", facing="right", trunk_lean_deg=-8.0)
    m = _metrics(lean, baseline)
    _, value, plus, minus = lean_reading(m, BackstepConfig().posture)
    assert value == pytest.approx(lean + 8.0, abs=0.2)  # centred on the baseline
    assert (value > plus) == (m.posture == "leaning_forward")
    assert (value < -minus) == (m.posture == "leaning_back")


def test_without_a_baseline_15_degrees_forward_is_upright_but_the_screen_says_why() -> None:
    m = _metrics(15.0, None)
    assert m.posture == "upright" and not m.baseline
    _, value, plus, _ = lean_reading(m, BackstepConfig().posture)
    assert value == pytest.approx(15.0, abs=0.2) and plus == 30.0  # the safety net in force
    run = SessionRun(BackstepConfig(), SessionPlan.from_config(BackstepConfig()), "Guest")
    run.start(0.0)
    run.update(0.1, None, [])
    assert run.baseline_note(m) == "Wide limits: not tuned to you"  # never "safety limits"
    assert run.finish(1.0)["baseline"] == "none"


def test_with_a_baseline_15_degrees_forward_is_leaning_and_no_note() -> None:
    m = _metrics(7.0, Baseline(view="side", facing="right", trunk_lean_deg=-8.0))
    assert m.posture == "leaning_forward" and m.baseline
    run = SessionRun(
        BackstepConfig(), SessionPlan.from_config(BackstepConfig()), "Guest", baseline="captured"
    )
    assert run.baseline_note(m) == ""


@pytest.mark.parametrize(
    ("view", "facing", "mirror", "right"),
    [
        # side view: + is toward the face
        ("side", "right", False, True),
        ("side", "left", False, False),
        ("side", "left", True, True),
        # front view: + is toward the member's own right
        ("front", "camera", False, False),  # their right is on the image's left
        ("front", "camera", True, True),
        ("front", "away", False, True),  # camera behind them: their right is image-right
        ("front", "away", True, False),
    ],
)
def test_the_needle_tilts_as_the_body_does_on_screen(view, facing, mirror, right) -> None:
    assert gauge_points_right(FrameMetrics(view=view, facing=facing), mirror) is right


def test_a_lean_to_the_members_right_seen_from_behind_tilts_the_needle_right() -> None:
    m = _metrics(6.0, None, view="front", facing="away")
    _, value, _, _ = lean_reading(m, BackstepConfig().posture)
    assert value == pytest.approx(6.0, abs=0.5)
    assert gauge_points_right(m, mirror=False)  # the body leans image-right too
