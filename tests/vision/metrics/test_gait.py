"""Backward-walking steps, cadence, CV, symmetry and per-stride trunk motion, on exact walkers."""

from __future__ import annotations

import itertools

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import PostureAnalyzer
from vision.types import Event

FPS = 30.0


def _run(walker: SyntheticWalker, seconds: float = 15.0, view: str = "auto"):
    analyzer = PostureAnalyzer(view=view, frame_size=walker.p.frame_size)
    steps: list[Event] = []
    metrics: dict = {}
    for t, pose in walker.sequence(seconds, FPS):
        metrics, events = analyzer.update(t, pose)
        steps += [e for e in events if e.kind == "step"]
    return metrics, steps


@pytest.mark.parametrize("cadence", [72.0, 100.0, 118.0])
@pytest.mark.parametrize(
    ("view", "facing"), [("side", "left"), ("side", "right"), ("front", "camera")]
)
def test_cadence_matches_the_walker(cadence: float, view: str, facing: str) -> None:
    walker = SyntheticWalker(view=view, facing=facing, cadence_spm=cadence)
    metrics, _ = _run(walker)
    assert metrics.cadence_spm == pytest.approx(cadence, rel=0.02)


def test_contacts_are_timed_within_one_frame_and_alternate_feet() -> None:
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=95, phase0=0.13)
    _, steps = _run(walker, 12)
    truth = [(t, s) for t, s in walker.contact_times(12) if t > 0.2]
    detected = [(e.t, e.data["side"]) for e in steps]
    # The last contact may still await confirmation when the clip ends.
    assert len(truth) - 1 <= len(detected) <= len(truth)
    for (t_true, s_true), (t_det, s_det) in zip(truth, detected, strict=False):
        assert s_det == s_true
        assert abs(t_det - t_true) < 1 / FPS


def test_backward_steps_land_toe_first() -> None:
    _, steps = _run(SyntheticWalker(view="side", facing="right"), 8)
    assert steps and all(e.data["toe_first"] for e in steps)


def test_a_heel_first_landing_is_reported() -> None:
    _, steps = _run(SyntheticWalker(view="side", facing="right", toe_first=False), 8)
    assert steps and not any(e.data["toe_first"] for e in steps)


def test_regular_steps_have_a_small_step_time_cv_and_full_symmetry() -> None:
    metrics, _ = _run(SyntheticWalker(view="side", facing="right", cadence_spm=90))
    assert metrics.step_time_cv < 0.01
    assert metrics.symmetry == pytest.approx(1.0, abs=0.01)


def test_a_limping_rhythm_shows_as_asymmetry_and_cv() -> None:
    # Right contact at 0.6 of the stride: right step 0.6 T, left step 0.4 T.
    walker = SyntheticWalker(view="side", facing="right", cadence_spm=100, asymmetry=0.1)
    metrics, _ = _run(walker)
    assert metrics.symmetry == pytest.approx(0.4 / 0.6, abs=0.02)
    assert metrics.step_time_cv == pytest.approx(0.2, abs=0.02)
    assert metrics.cadence_spm == pytest.approx(100, rel=0.02)


@pytest.mark.parametrize("amp", [1.0, 3.0, 5.0])
def test_sagittal_oscillation_is_the_trunk_range_per_stride(amp: float) -> None:
    walker = SyntheticWalker(view="side", facing="left", trunk_lean_deg=3, sagittal_amp_deg=amp)
    metrics, _ = _run(walker, 10)
    # Frames sample the sine's peaks slightly short of the true range (18 frames per cycle).
    assert metrics.trunk_oscillation_deg == pytest.approx(2 * amp, rel=0.03, abs=0.1)
    assert metrics.lateral_sway_deg is None


@pytest.mark.parametrize("amp", [1.5, 4.0])
def test_lateral_sway_is_the_sideways_range_per_stride(amp: float) -> None:
    walker = SyntheticWalker(view="front", facing="camera", lateral_amp_deg=amp)
    metrics, _ = _run(walker, 10)
    assert metrics.lateral_sway_deg == pytest.approx(2 * amp, rel=0.03, abs=0.1)
    assert metrics.trunk_oscillation_deg is None


def test_standing_still_makes_no_steps_and_no_cadence() -> None:
    metrics, steps = _run(SyntheticWalker(view="side", facing="right", walking=False), 6)
    assert steps == []
    assert metrics.cadence_spm is None


def test_cadence_is_robust_to_landmark_noise() -> None:
    walker = SyntheticWalker(view="side", facing="right", cadence_spm=105, noise_px=1.5, seed=3)
    metrics, _ = _run(walker)
    assert metrics.cadence_spm == pytest.approx(105, rel=0.1)


def _run_fps(walker: SyntheticWalker, fps: float, seconds: float = 15.0, swap_at=()):
    """Run at ``fps`` through the pipeline's leg tracker; legs swapped on frames near
    ``swap_at`` contact times (the model's left/right confusion at touch-down)."""
    from vision.pose.legs import LegTracker, swap_legs

    analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
    legs = LegTracker()
    steps: list[Event] = []
    metrics: dict = {}
    for t, pose in walker.sequence(seconds, fps):
        if any(0 <= t - c < 2.5 / fps for c in swap_at):
            pose = swap_legs(pose)
        metrics, events = analyzer.update(t, legs.update(t, pose))
        steps += [e for e in events if e.kind == "step"]
    return metrics, steps


@pytest.mark.parametrize("fps", [30.0, 10.0, 6.0])
@pytest.mark.parametrize("cadence", [80.0, 112.0])
def test_cadence_holds_at_pi_frame_rates(fps: float, cadence: float) -> None:
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=cadence, phase0=0.21)
    metrics, steps = _run_fps(walker, fps)
    assert metrics.cadence_spm == pytest.approx(cadence, rel=0.05)
    truth = [t for t, _ in walker.contact_times(15.0) if t > 0.3]
    assert len(truth) - 2 <= len(steps) <= len(truth)


@pytest.mark.parametrize("fps", [30.0, 10.0])
def test_a_left_right_swap_at_touch_down_is_one_step(fps: float) -> None:
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=112, phase0=0.1)
    contacts = [t for t, _ in walker.contact_times(15.0)]
    metrics, steps = _run_fps(walker, fps, swap_at=contacts[::2])
    truth = [t for t in contacts if t > 0.3]
    assert len(truth) - 2 <= len(steps) <= len(truth)
    assert metrics.cadence_spm == pytest.approx(112, rel=0.05)
    sides = [e.data["side"] for e in steps]
    assert all(a != b for a, b in itertools.pairwise(sides))


def test_no_cadence_fault_while_the_estimate_settles() -> None:
    # 150 steps/min is too fast: the fault may come only after five steps agree.
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=150)
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    steps = 0
    first_fault_after = None
    for t, pose in walker.sequence(10.0, FPS):
        _, events = analyzer.update(t, pose)
        steps += sum(e.kind == "step" for e in events)
        if first_fault_after is None and any(
            e.kind == "fault" and e.data["fault"] == "cadence" for e in events
        ):
            first_fault_after = steps
    assert first_fault_after is not None and first_fault_after >= 5
