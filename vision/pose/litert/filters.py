"""MediaPipe's own landmark smoothing in VIDEO mode, so LiteRT's landmarks can match it."""

from __future__ import annotations

import math

import numpy as np

#: MediaPipe's filters start at this rate until two timestamps give the real one.
START_HZ = 30.0
#: Visibility is low-pass filtered with this weight for the new value.
VISIBILITY_ALPHA = 0.1


def alpha(cutoff: float | np.ndarray, hz: float) -> float | np.ndarray:
    """The exponential smoothing weight for ``cutoff`` (Hz) at a ``hz`` sampling rate."""
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau * hz)


class OneEuro:
    """One Euro filter (Casiez 2012) over a whole array at once, as MediaPipe runs it.

    MediaPipe's variant: the derivative is scaled by ``1 / object scale`` (so speed is in
    body sizes per second), a timestamp that does not increase passes the value through
    unfiltered, and the rate stays at `START_HZ` until a second non-zero timestamp.
    Timestamps are integer nanoseconds, as MediaPipe's are.
    """

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self.reset()

    def reset(self) -> None:
        """Forget the past (a new person)."""
        self._hz = START_HZ
        self._last_ns = 0
        self._raw: np.ndarray | None = None
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None

    def apply(self, t_ns: int, value: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """``value`` filtered at time ``t_ns``; ``scale`` multiplies the derivative."""
        if self._last_ns >= t_ns:
            return value
        if self._last_ns != 0 and t_ns != 0:
            self._hz = 1e9 / (t_ns - self._last_ns)
        self._last_ns = t_ns
        if self._raw is None:
            speed = np.zeros_like(value)
        else:
            speed = (value - self._raw) * scale * self._hz
        if self._speed is not None:
            a = alpha(self.d_cutoff, self._hz)
            speed = a * speed + (1 - a) * self._speed
        cutoff = self.min_cutoff + self.beta * np.abs(speed)
        if self._value is None:
            out = value.copy()
        else:
            a_x = alpha(cutoff, self._hz)
            out = a_x * value + (1 - a_x) * self._value
        self._raw, self._value, self._speed = value.copy(), out, speed
        return out


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
            out[:, :3] = self.image.apply(t_ns, px, 1.0 / region_px) / np.array([w, h, w])
        out[:, 3] = self.visibility.apply(image[:, 3])
        extent = np.ptp(world[:, 0]) + np.ptp(world[:, 1])
        smoothed_world = world
        if extent / 2 > 1e-6:
            smoothed_world = self.world.apply(t_ns, world, 2.0 / extent)
        return out, smoothed_world
