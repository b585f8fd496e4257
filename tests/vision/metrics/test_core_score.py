"""The core-engagement score: its documented formula, weights, references and bounds."""

from __future__ import annotations

import pytest
from support.synthetic_walker import SyntheticWalker

from vision.metrics.analyzer import PostureAnalyzer
from vision.metrics.baseline import Baseline
from vision.metrics.core_score import CoreConfig, CoreInputs, CoreReference, core_score, term_score
from vision.metrics.settings import GaitConfig, PostureConfig

CORE, GAIT, POSTURE = CoreConfig(), GaitConfig(), PostureConfig()


def score(inputs: CoreInputs, core: CoreConfig = CORE, ref: CoreReference | None = None):
    return core_score(inputs, core, GAIT, POSTURE, ref)


def test_a_term_is_full_at_the_norm_half_at_the_warn_level_and_zero_twice_as_far() -> None:
    assert term_score(4.0, 4.0, 8.0) == 1.0
    assert term_score(2.0, 4.0, 8.0) == 1.0
    assert term_score(8.0, 4.0, 8.0) == pytest.approx(0.5)
    assert term_score(12.0, 4.0, 8.0) == 0.0
    assert term_score(50.0, 4.0, 8.0) == 0.0


def test_literature_norms_score_100() -> None:
    # Chung 2010: sagittal 4.0, lateral 3.3 deg per stride.
    s = score(CoreInputs(4.0, 3.3, 5.0, 15.0))
    assert s == pytest.approx(100.0)


def test_more_sway_lowers_the_score() -> None:
    calm = score(CoreInputs(sagittal_oscillation_deg=5.0))
    wobbly = score(CoreInputs(sagittal_oscillation_deg=8.0))
    assert calm is not None and wobbly is not None
    assert wobbly == pytest.approx(50.0) and calm > wobbly


def test_score_averages_known_terms_by_weight() -> None:
    inputs = CoreInputs(sagittal_oscillation_deg=8.0, trunk_velocity_sd_dps=15.0)
    assert score(inputs) == pytest.approx(75.0)  # (0.5 + 1.0) / 2
    weighted = CoreConfig(weight_sagittal_oscillation=3.0)
    assert score(inputs, weighted) == pytest.approx(100 * (3 * 0.5 + 1.0) / 4)
    ignored = CoreConfig(weight_sagittal_oscillation=0.0)
    assert score(inputs, ignored) == pytest.approx(100.0)


def test_no_known_term_gives_no_score() -> None:
    assert score(CoreInputs()) is None


def test_a_members_own_reference_replaces_the_norm() -> None:
    inputs = CoreInputs(sagittal_oscillation_deg=6.0)
    assert score(inputs) == pytest.approx(75.0)
    assert score(inputs, ref=CoreReference(sagittal_oscillation_deg=6.0)) == pytest.approx(100.0)


def test_score_stays_within_0_and_100() -> None:
    for v in (0.0, 1.0, 10.0, 1e6):
        s = score(CoreInputs(v, v, v, v))
        assert s is not None and 0.0 <= s <= 100.0


def _session_score(walker: SyntheticWalker, baseline: Baseline | None = None) -> float:
    analyzer = PostureAnalyzer(view="side", frame_size=walker.p.frame_size)
    analyzer.set_baseline(baseline)
    metrics: dict = {}
    for t, pose in walker.sequence(12):
        metrics, _ = analyzer.update(t, pose)
    return metrics.core_score


def test_a_steady_walker_scores_higher_than_a_wobbly_one() -> None:
    steady = _session_score(SyntheticWalker(facing="right", sagittal_amp_deg=2.0))
    wobbly = _session_score(SyntheticWalker(facing="right", sagittal_amp_deg=6.0))
    assert steady > 90 and wobbly < 60


def test_the_baseline_reference_makes_the_score_relative_to_the_member() -> None:
    walker = SyntheticWalker(facing="right", sagittal_amp_deg=4.0, cadence_spm=80)
    without = _session_score(walker)
    own = Baseline(sagittal_oscillation_deg=8.0, trunk_velocity_sd_dps=40.0)
    assert _session_score(walker, own) > without
