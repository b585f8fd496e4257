"""One Euro filtering of landmarks: still input untouched, jitter cut, little lag in motion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vision.pose.smoothing import LandmarkSmoother, OneEuroFilter
from vision.settings import SmoothingConfig
from vision.types import NUM_LANDMARKS, Pose

FPS = 30.0


def reference_one_euro(
    ts: list[float], xs: list[float], min_cutoff: float, beta: float, d_cutoff: float
) -> list[float]:
    """The scalar filter exactly as in Casiez et al. (CHI 2012), for comparison."""

    def alpha(dt: float, cutoff: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    out = [xs[0]]
    x_hat, dx_hat = xs[0], 0.0
    for i in range(1, len(xs)):
        dt = ts[i] - ts[i - 1]
        dx = (xs[i] - x_hat) / dt
        dx_hat = dx_hat + alpha(dt, d_cutoff) * (dx - dx_hat)
        cutoff = min_cutoff + beta * abs(dx_hat)
        x_hat = x_hat + alpha(dt, cutoff) * (xs[i] - x_hat)
        out.append(x_hat)
    return out


def run(filt: OneEuroFilter, ts: np.ndarray, xs: np.ndarray) -> np.ndarray:
    return np.array([filt(float(t), x) for t, x in zip(ts, xs, strict=True)])


def test_constant_input_passes_unchanged_even_at_irregular_times() -> None:
    rng = np.random.default_rng(1)
    ts = np.cumsum(rng.uniform(0.01, 0.2, 50))
    value = rng.random((NUM_LANDMARKS, 3))
    filt = OneEuroFilter(min_cutoff=1.0, beta=0.5)
    for t in ts:
        np.testing.assert_allclose(filt(float(t), value), value, rtol=0, atol=1e-12)


def test_jitter_at_rest_is_cut_by_a_large_factor() -> None:
    rng = np.random.default_rng(2)
    ts = np.arange(300) / FPS
    noisy = 0.5 + rng.normal(0, 0.005, (300, NUM_LANDMARKS, 3))  # ~2-3 px of jitter
    cfg = SmoothingConfig()
    out = run(OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff), ts, noisy)
    raw_var = noisy[30:].var(axis=0).mean()
    smooth_var = out[30:].var(axis=0).mean()
    assert smooth_var < raw_var / 5
    assert out[30:].mean() == pytest.approx(0.5, abs=0.002)  # no bias


def test_fast_motion_lags_less_with_beta_than_without() -> None:
    ts = np.arange(60) / FPS
    ramp = np.repeat((1.0 * ts)[:, None], 4, axis=1)  # 1 unit/s, ~ a body height per second
    lag_plain = np.abs(run(OneEuroFilter(1.0, 0.0), ts, ramp) - ramp)[-10:].mean()
    lag_beta = np.abs(run(OneEuroFilter(1.0, 5.0), ts, ramp) - ramp)[-10:].mean()
    assert lag_plain > 0.1  # a plain 1 Hz low-pass trails a ramp by ~1/(2 pi) s
    assert lag_beta < lag_plain / 3


def test_a_step_is_followed_sooner_with_beta() -> None:
    ts = np.arange(40) / FPS
    step = np.where(ts < 0.3, 0.0, 1.0)[:, None]

    def frames_to_90_percent(beta: float) -> int:
        out = run(OneEuroFilter(1.0, beta), ts, step)[:, 0]
        return int(np.argmax(out[9:] >= 0.9))

    assert frames_to_90_percent(5.0) < frames_to_90_percent(0.0)


def test_vectorised_filter_matches_the_paper_at_irregular_times() -> None:
    rng = np.random.default_rng(3)
    ts = np.cumsum(rng.uniform(0.005, 0.15, 80))
    xs = np.cumsum(rng.normal(0, 0.05, (80, 5)), axis=0)
    out = run(OneEuroFilter(0.8, 2.0, 1.5), ts, xs)
    for j in range(5):
        want = reference_one_euro(list(ts), list(xs[:, j]), 0.8, 2.0, 1.5)
        np.testing.assert_allclose(out[:, j], want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(5,), (NUM_LANDMARKS, 3), (2, NUM_LANDMARKS, 3)])
def test_output_has_the_input_shape(shape: tuple[int, ...]) -> None:
    filt = OneEuroFilter()
    for i in range(3):
        assert filt(i / FPS, np.full(shape, float(i))).shape == shape


def test_a_nan_element_comes_out_nan_and_restarts_without_poisoning_the_rest() -> None:
    ts = np.arange(20) / FPS
    xs = np.tile(np.linspace(0, 1, 20)[:, None], (1, 3))
    clean = run(OneEuroFilter(1.0, 0.5), ts, xs)
    holed = xs.copy()
    holed[5:8, 1] = np.nan
    out = run(OneEuroFilter(1.0, 0.5), ts, holed)
    assert np.isnan(out[5:8, 1]).all()
    assert out[8, 1] == xs[8, 1]  # first value after the hole starts fresh
    assert np.isfinite(out[8:]).all()
    np.testing.assert_array_equal(out[:, [0, 2]], clean[:, [0, 2]])  # others untouched


def test_a_repeated_timestamp_returns_the_previous_output() -> None:
    filt = OneEuroFilter(1.0, 0.5)
    filt(0.0, np.array([0.0]))
    first = filt(0.1, np.array([1.0]))
    again = filt(0.1, np.array([5.0]))
    np.testing.assert_array_equal(again, first)


def test_a_changed_shape_is_refused_until_reset() -> None:
    filt = OneEuroFilter()
    filt(0.0, np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        filt(0.1, np.zeros(4))
    filt.reset()
    np.testing.assert_array_equal(filt(0.2, np.ones(4)), np.ones(4))


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        OneEuroFilter(min_cutoff=0)


def standing_pose(shift: float = 0.0, vis: float = 0.9) -> Pose:
    """A person-sized landmark cloud: 0.2 wide, 0.7 tall in the frame, 1.7 m in the world."""
    rng = np.random.default_rng(4)
    image = np.empty((NUM_LANDMARKS, 4))
    image[:, 0] = 0.4 + 0.2 * rng.random(NUM_LANDMARKS) + shift
    image[:, 1] = 0.15 + 0.7 * rng.random(NUM_LANDMARKS)
    image[:, 2] = rng.normal(0, 0.1, NUM_LANDMARKS)
    image[:, 3] = vis
    world = np.column_stack(
        [
            rng.normal(0, 0.2, NUM_LANDMARKS),
            np.linspace(-0.9, 0.8, NUM_LANDMARKS),
            0.0 * image[:, 0],
        ]
    )
    return Pose(image=image, world=world)


def test_landmark_smoother_smooths_image_and_world_and_leaves_the_input_alone() -> None:
    rng = np.random.default_rng(5)
    base = standing_pose()
    smoother = LandmarkSmoother(SmoothingConfig())
    raw_x, out_x, out_wx = [], [], []
    for i in range(90):
        noisy = Pose(
            image=base.image + np.r_[rng.normal(0, 0.004, 3), 0.0],
            world=base.world + rng.normal(0, 0.01, 3),
        )
        before = noisy.image.copy()
        out = smoother.smooth(i / FPS, noisy)
        np.testing.assert_array_equal(noisy.image, before)
        assert out.image.shape == (NUM_LANDMARKS, 4) and out.world.shape == (NUM_LANDMARKS, 3)
        raw_x.append(noisy.image[0, 0])
        out_x.append(out.image[0, 0])
        out_wx.append(out.world[0, 0])
    assert np.var(out_x[30:]) < np.var(raw_x[30:]) / 3
    assert np.var(out_wx[30:]) < 0.01**2 / 3


def test_speed_is_measured_in_body_sizes_so_small_and_large_figures_smooth_alike() -> None:
    # The same movement seen from twice as far: half the size, half the speed in the frame.
    rng = np.random.default_rng(6)
    big = LandmarkSmoother(SmoothingConfig(min_cutoff=1.0, beta=2.0))
    small = LandmarkSmoother(SmoothingConfig(min_cutoff=1.0, beta=2.0))
    base = standing_pose()
    for i in range(40):
        move = base.image.copy()
        move[:, :3] += 0.02 * i + rng.normal(0, 0.003, 3)
        far = move.copy()
        far[:, :3] *= 0.5
        out_big = big.smooth(i / FPS, Pose(move, base.world))
        out_small = small.smooth(i / FPS, Pose(far, base.world))
        np.testing.assert_allclose(out_small.image[:, :3] * 2, out_big.image[:, :3], atol=1e-9)


def test_visibility_is_low_passed_so_a_one_frame_dropout_does_not_flicker() -> None:
    smoother = LandmarkSmoother(SmoothingConfig())
    for i in range(10):
        smoother.smooth(i / FPS, standing_pose(vis=1.0))
    dropout = smoother.smooth(10 / FPS, standing_pose(vis=0.0))
    assert dropout.image[:, 3].min() > 0.5  # still counts as visible
    for i in range(11, 21):
        gone = smoother.smooth(i / FPS, standing_pose(vis=0.0))
    assert gone.image[:, 3].max() < 0.2  # a real occlusion gets through in ~a third of a second


def test_reset_forgets_the_previous_member() -> None:
    smoother = LandmarkSmoother(SmoothingConfig())
    for i in range(10):
        smoother.smooth(i / FPS, standing_pose(shift=0.0))
    smoother.reset()
    newcomer = standing_pose(shift=0.3, vis=0.4)
    out = smoother.smooth(11 / FPS, newcomer)
    np.testing.assert_array_equal(out.image, newcomer.image)
    np.testing.assert_array_equal(out.world, newcomer.world)


def test_a_long_gap_resets_by_itself() -> None:
    smoother = LandmarkSmoother(SmoothingConfig(), max_gap_s=1.0)
    smoother.smooth(0.0, standing_pose(shift=0.0))
    later = standing_pose(shift=0.3)
    np.testing.assert_array_equal(smoother.smooth(5.0, later).image, later.image)


def test_disabled_smoothing_returns_the_pose_as_it_came() -> None:
    smoother = LandmarkSmoother(SmoothingConfig(enabled=False))
    pose = standing_pose()
    smoother.smooth(0.0, standing_pose(shift=0.3))
    assert smoother.smooth(0.1, pose) is pose


def test_a_missing_landmark_does_not_poison_the_rest_of_the_pose() -> None:
    smoother = LandmarkSmoother(SmoothingConfig())
    smoother.smooth(0.0, standing_pose())
    holed = standing_pose()
    holed.image[7] = np.nan
    out = smoother.smooth(1 / FPS, holed)
    assert np.isnan(out.image[7]).all()
    assert np.isfinite(np.delete(out.image, 7, axis=0)).all()
    after = smoother.smooth(2 / FPS, standing_pose())
    assert np.isfinite(after.image).all() and np.isfinite(after.world).all()


def reference_mediapipe_one_euro(
    hz_ts: list[float], xs: list[float], scales: list[float], min_cutoff: float, beta: float
) -> list[float]:
    """MediaPipe's scalar filter (one_euro_filter.cc) written out: the speed is taken between
    raw samples and multiplied by each sample's value scale before its low-pass."""

    def alpha(cutoff: float, hz: float) -> float:
        return 1.0 / (1.0 + hz / (2 * math.pi * cutoff))

    out = [xs[0]]
    last_raw, last_out, speed = xs[0], xs[0], 0.0
    for i in range(1, len(xs)):
        hz = 1.0 / (hz_ts[i] - hz_ts[i - 1])
        raw_speed = (xs[i] - last_raw) * scales[i] * hz
        speed = alpha(1.0, hz) * raw_speed + (1 - alpha(1.0, hz)) * speed
        a = alpha(min_cutoff + beta * abs(speed), hz)
        last_out = a * xs[i] + (1 - a) * last_out
        last_raw = xs[i]
        out.append(last_out)
    return out


def test_the_raw_speed_variant_is_mediapipes_filter() -> None:
    """LiteRT reproduces MediaPipe's landmark filter with this same class (one One Euro)."""
    rng = np.random.default_rng(5)
    ts = list(np.cumsum(rng.uniform(0.03, 0.2, 60)))
    xs = list(np.cumsum(rng.normal(0, 3.0, 60)))
    sizes = list(rng.uniform(50, 300, 60))  # the body's size in pixels, frame by frame
    expected = reference_mediapipe_one_euro(ts, xs, [1 / s for s in sizes], 0.05, 80.0)
    filt = OneEuroFilter(0.05, 80.0, raw_speed=True)
    got = [float(filt(t, np.array([x]), s)[0]) for t, x, s in zip(ts, xs, sizes, strict=True)]
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # ... and differs from the paper's variant on the same input (the option matters)
    paper = OneEuroFilter(0.05, 80.0)
    other = [float(paper(t, np.array([x]), s)[0]) for t, x, s in zip(ts, xs, sizes, strict=True)]
    assert other != pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_litert_filters_with_the_shared_one_euro_filter() -> None:
    from vision.pose.litert.filters import PoseFilter

    pose_filter = PoseFilter()
    for part in (pose_filter.image, pose_filter.world):
        assert isinstance(part._filter, OneEuroFilter) and part._filter.raw_speed
