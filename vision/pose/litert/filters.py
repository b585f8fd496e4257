"""MediaPipe's own landmark smoothing in VIDEO mode, so LiteRT's landmarks can match it."""

from __future__ import annotations

import numpy as np

from vision.pose.smoothing import OneEuroFilter

#: Visibility is low-pass filtered with this weight for the new value.
VISIBILITY_ALPHA = 0.1


class OneEuro:
    """MediaPipe's One Euro filter: the project's `OneEuroFilter` with MediaPipe's clock rules.

    The filtering is `vision.pose.smoothing.OneEuroFilter` in its ``raw_speed`` variant
    (speed between raw samples, in body sizes per second). Around it, MediaPipe's rules for
    time: timestamps are integer nanoseconds, and a timestamp that does not increase (a
    first frame at 0 included) passes the value through unfiltered and untouched by the
    filter's state.
    """

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float = 1.0) -> None:
        self._filter = OneEuroFilter(min_cutoff, beta, d_cutoff, raw_speed=True)
        self._last_ns = 0

    def reset(self) -> None:
        """Forget the past (a new person)."""
        self._filter.reset()
        self._last_ns = 0

    def apply(self, t_ns: int, value: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """``value`` filtered at time ``t_ns``; the speed is in units of ``scale`` per second."""
        if self._last_ns >= t_ns:
            return value
        self._last_ns = t_ns
        return self._filter(t_ns / 1e9, value, scale)


class LowPass:
    """Exponential smoothing with a fixed weight (MediaPipe's visibility filter)."""

    def __init__(self, weight: float) -> None:
        self.weight = weight
        self._value: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the past."""
        self._value = None

    def apply(self, value: np.ndarray) -> np.ndarray:
        """``value`` smoothed with the previous output."""
        if self._value is not None:
            value = self.weight * value + (1 - self.weight) * self._value
        self._value = value.copy()
        return value


class PoseFilter:
    """The filters MediaPipe's PoseLandmarker applies in VIDEO mode with one pose.

    Image landmarks: One Euro on pixel positions (min cutoff 0.05 Hz, beta 80), speed in
    region sizes per second; world landmarks: One Euro (0.1 Hz, beta 40), speed in the
    body's own extent per second; visibility: a low-pass with weight `VISIBILITY_ALPHA`.
    """

    def __init__(self) -> None:
        self.image = OneEuro(0.05, 80.0)
        self.world = OneEuro(0.1, 40.0)
        self.visibility = LowPass(VISIBILITY_ALPHA)

    def reset(self) -> None:
        """Forget the past: tracking was lost."""
        self.image.reset()
        self.world.reset()
        self.visibility.reset()

    def apply(
        self,
        t_ns: int,
        image: np.ndarray,
        world: np.ndarray,
        size: tuple[int, int],
        region_px: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Smoothed copies of ``image`` (N x 4+, normalised) and ``world`` (N x 3).

        ``size`` is the image's (width, height); ``region_px`` the side of the next frame's
        region, the body's scale.
        """
        w, h = size
        px = image[:, :3] * np.array([w, h, w])
        out = image.copy()
        if region_px > 1e-6:
            out[:, :3] = self.image.apply(t_ns, px, region_px) / np.array([w, h, w])
        out[:, 3] = self.visibility.apply(image[:, 3])
        extent = np.ptp(world[:, 0]) + np.ptp(world[:, 1])
        smoothed_world = world
        if extent / 2 > 1e-6:
            smoothed_world = self.world.apply(t_ns, world, extent / 2)
        return out, smoothed_world
