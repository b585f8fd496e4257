"""Bad camera placements built from a real clip: feet cut off, a rolled camera, dark, blurred."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vision.types import Frame

Transform = Callable[[np.ndarray], np.ndarray]


class ImageListSource:
    """A `FrameSource` over images in memory, each with the clip's own media time."""

    is_live = False

    def __init__(self, images: list[np.ndarray], fps: float = 30.0, name: str = "variant") -> None:
        self.images, self.fps, self.name = images, fps, name
        self._next = 0

    def open(self) -> None:
        """Nothing to acquire."""

    def read(self) -> Frame | None:
        """The next image as a frame, None after the last."""
        if self._next >= len(self.images):
            return None
        i = self._next
        self._next += 1
        return Frame(self.images[i], i / self.fps, i, i / self.fps)

    def close(self) -> None:
        """Nothing to release."""


def feet_cut_off(image: np.ndarray, share: float = 0.22) -> np.ndarray:
    """A camera aimed too high: the bottom ``share`` of the picture (the feet) is not seen."""
    import cv2

    h, w = image.shape[:2]
    kept = image[: int(h * (1 - share))]
    return np.ascontiguousarray(cv2.resize(kept, (w, int(h * (1 - share)))))


def rolled(image: np.ndarray, degrees: float) -> np.ndarray:
    """A camera turned ``degrees`` clockwise about its axis, cropped to leave no empty corners.

    The same crop is applied at 0° for the level reference, so the two differ only by roll.
    """
    import cv2

    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    turned = cv2.warpAffine(image, matrix, (w, h))
    cy, cx = int(h * 0.1), int(w * 0.1)
    return np.ascontiguousarray(turned[cy : h - cy, cx : w - cx])


def darkened(image: np.ndarray, gain: float = 0.08, noise_sd: float = 2.0) -> np.ndarray:
    """An under-lit treadmill: the picture scaled down, with the sensor's noise on top."""
    rng = np.random.default_rng(0)
    dark = image.astype(np.float32) * gain + rng.normal(0.0, noise_sd, image.shape)
    return np.clip(dark, 0, 255).astype(np.uint8)


def blurred(image: np.ndarray, sigma: float = 6.0) -> np.ndarray:
    """An unfocused or smeared lens."""
    import cv2

    return cv2.GaussianBlur(image, (0, 0), sigma)
