"""One Euro filtering of landmarks (Casiez, Roussel, Vogel, CHI 2012), vectorised numpy."""

from __future__ import annotations

import math

import numpy as np

from vision.settings import SmoothingConfig
from vision.types import Pose

# Visibility is a confidence, not a position: it needs no speed-adaptive filter, only enough
# low-pass to stop it flickering across the thresholds (0.5 ...) that decide whether a
# landmark counts, which would restart fault timers frame by frame. A time constant of
# 0.15 s is alpha ~0.2 at 30 fps: steadier than raw, faster than MediaPipe's legacy alpha
# 0.1, which at a Pi's ~10 fps would take about a second to notice an occluded ankle.
# Time-based rather than per-frame so the behaviour does not change with the frame rate.
VISIBILITY_TAU_S = 0.15

# Smallest body size (normalised units) used to scale speeds, so a few landmarks bunched
# together (a person half out of frame) cannot inflate speeds without bound.
_MIN_BODY_SCALE = 0.05


def _alpha(dt: float | np.ndarray, cutoff: float | np.ndarray) -> np.ndarray:
    """Smoothing factor of a first-order low-pass at ``cutoff`` Hz for a step of ``dt`` s."""
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    return np.asarray(1.0 / (1.0 + tau / dt))


class OneEuroFilter:
    """A One Euro filter applied element-wise to arrays of any fixed shape.

    The project's one implementation: the kiosk's `LandmarkSmoother` and the LiteRT
    backend's copy of MediaPipe's own landmark filter (`vision.pose.litert.filters`) both
    run it. The cutoff rises with the filtered speed, ``min_cutoff + beta * |dx| / scale``:
    at rest jitter is cut hard, in fast motion lag stays small. Timestamps are seconds and
    may be irregular. A sample whose time does not advance is ignored (the previous output
    is returned). A non-finite input element (NaN, a landmark the model did not give) comes
    out NaN and restarts that element, so the next finite value starts fresh instead of
    being dragged from a stale trail or poisoning the state with NaN forever.

    ``raw_speed`` is MediaPipe's variant: the speed is taken between the raw samples (not
    from the last output, as in the paper) and divided by each sample's ``scale`` before
    its low-pass (not after), so a LiteRT pose is filtered exactly as MediaPipe filters it.
    """

    def __init__(
        self,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        d_cutoff: float = 1.0,
        *,
        raw_speed: bool = False,
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("need min_cutoff > 0, d_cutoff > 0 and beta >= 0")
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.raw_speed = raw_speed
        self._x: np.ndarray | None = None  # filtered value (NaN where not started)
        self._dx: np.ndarray | None = None  # filtered derivative
        self._raw: np.ndarray | None = None  # the last input (``raw_speed`` only)
        self._t = 0.0

    def reset(self) -> None:
        """Forget all history: the next sample passes through unchanged."""
        self._x = self._dx = self._raw = None

    def __call__(self, t: float, x: np.ndarray, scale: float | np.ndarray = 1.0) -> np.ndarray:
        """Filter one sample taken at time ``t`` (seconds); returns a new float64 array.

        ``scale`` (broadcastable to ``x``) divides the speed before it raises the cutoff, so
        ``beta`` means the same for a person near or far (speed in body sizes per second).
        """
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._dx is None:
            self._x = np.where(np.isfinite(x), x, np.nan)
            self._dx = np.zeros_like(x)
            self._raw = x.copy() if self.raw_speed else None
            self._t = t
            return self._x.copy()
        if x.shape != self._x.shape:
            raise ValueError(f"sample shape {x.shape} differs from {self._x.shape}; reset first")
        dt = t - self._t
        if not dt > 0:
            return self._x.copy()
        self._t = t
        prev = self._x
        with np.errstate(invalid="ignore"):
            if self.raw_speed and self._raw is not None:
                dx = (x - self._raw) / dt / scale
                self._raw = x.copy()
            else:
                dx = (x - prev) / dt
            dx_hat = self._dx + _alpha(dt, self.d_cutoff) * (dx - self._dx)
            speed = np.abs(dx_hat) if self.raw_speed else np.abs(dx_hat) / scale
            cutoff = self.min_cutoff + self.beta * speed
            x_hat = prev + _alpha(dt, cutoff) * (x - prev)
        # Elements with no history (first finite value after NaN) start at the input.
        fresh = np.isnan(prev)
        x_hat = np.where(fresh, x, x_hat)
        dx_hat = np.where(fresh | ~np.isfinite(dx_hat), 0.0, dx_hat)
        bad = ~np.isfinite(x)
        x_hat[bad] = np.nan
        self._x, self._dx = x_hat, dx_hat
        return x_hat.copy()


def body_scale(points: np.ndarray) -> float:
    """The larger extent of a landmark cloud (N x >=2), e.g. a standing person's height."""
    xy = points[:, :2]
    finite = np.isfinite(xy).all(axis=1)
    if not finite.any():
        return 1.0
    extent = float(np.ptp(xy[finite], axis=0).max())
    return max(extent, _MIN_BODY_SCALE)


class LandmarkSmoother:
    """Smooths a member's `Pose` over time: One Euro on image and world xyz, EMA on visibility.

    Speeds are divided by the body's size before they raise the cutoff, as MediaPipe's
    legacy graph did: the camera's distance differs from gym to gym and members differ in
    height, and without it the same ``beta`` would lag more for a small figure (image
    coordinates are fractions of the frame). The positions themselves are not rescaled, so a
    member stepping nearer the camera does not look like motion. World coordinates (metres)
    are scaled the same way, so one set of parameters serves both. Call `reset` when the
    member is lost, so the next person does not inherit a trail; a gap longer than
    ``max_gap_s`` resets by itself.
    """

    def __init__(self, cfg: SmoothingConfig, *, max_gap_s: float = 1.0) -> None:
        self.cfg = cfg
        self.max_gap_s = max_gap_s
        self._xyz = OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff)
        self._vis: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        """Forget the previous member's trail."""
        self._xyz.reset()
        self._vis = None
        self._t = None

    def smooth(self, t: float, pose: Pose) -> Pose:
        """The smoothed pose at time ``t`` (seconds); the input pose is not modified."""
        if not self.cfg.enabled:
            return pose
        if self._t is not None and t - self._t > self.max_gap_s:
            self.reset()
        image = np.asarray(pose.image, dtype=np.float64)
        world = np.asarray(pose.world, dtype=np.float64)
        n = image.shape[0]
        scale = np.empty(6)
        scale[:3] = body_scale(image)
        scale[3:] = body_scale(world)
        xyz = self._xyz(t, np.concatenate((image[:, :3], world[:, :3]), axis=1), scale)

        vis = image[:, 3]
        if self._vis is None or self._t is None:
            vis_hat = vis.copy()
            self._t = t
        elif t > self._t:
            a = 1.0 - math.exp(-(t - self._t) / VISIBILITY_TAU_S)
            vis_hat = self._vis + a * (vis - self._vis)
            # A NaN visibility restarts that landmark, as in OneEuroFilter.
            vis_hat = np.where(np.isfinite(vis_hat), vis_hat, vis)
            self._t = t
        else:
            vis_hat = self._vis
        self._vis = vis_hat

        out_image = np.empty((n, 4))
        out_image[:, :3] = xyz[:, :3]
        out_image[:, 3] = vis_hat
        return Pose(image=out_image, world=xyz[:, 3:].copy())
