"""Harder versions of a real clip, as a gym would produce them: lower frame rates, a rail in
front of the hands, sensor noise, a passer-by in front of the member. Frames stay in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from vision.types import Frame


def read_clip(path: Path) -> list[np.ndarray]:
    """Every frame of ``path`` as RGB arrays."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    images = []
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    return images


def frames(
    images: list[np.ndarray], fps: float = 30.0, every: int = 1, start: int = 0
) -> Iterator[Frame]:
    """Every ``every``-th image from ``start`` as a `Frame` with the clip's own timestamps
    (decimation; ``start`` picks the phase, as a camera switched on at any moment would)."""
    for i in range(start, len(images), every):
        t = i / fps
        yield Frame(images[i], t, (i - start) // every, t)


def with_rail(image: np.ndarray, y: float = 0.52, thickness: float = 0.025) -> np.ndarray:
    """A grey treadmill hand rail drawn across the whole frame at height ``y`` (fraction)."""
    out = image.copy()
    h = out.shape[0]
    y0, y1 = int((y - thickness / 2) * h), int((y + thickness / 2) * h)
    out[y0:y1] = (150, 150, 155)
    out[y0 : y0 + 2] = (210, 210, 215)
    return out


def with_noise(image: np.ndarray, sd: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian sensor noise of ``sd`` grey levels."""
    noisy = image.astype(np.float32) + rng.normal(0.0, sd, image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def with_passer_by(
    images: list[np.ndarray],
    start: int,
    frames_across: int,
    source: int,
    scale: float = 1.3,
) -> list[np.ndarray]:
    """A second person walking across in front of the member for ``frames_across`` frames.

    The passer-by is frame ``source`` of the same clip, mirrored (facing the other way) and
    scaled up by ``scale`` (nearer the camera), pasted as a solid block that slides from the
    right edge to the left edge: while it passes, the member is hidden behind it.
    """
    import cv2

    h, w = images[0].shape[:2]
    person = cv2.resize(images[source][:, ::-1], None, fx=scale, fy=scale)
    ph, pw = person.shape[:2]
    # Keep the block's middle half (the person), bottom-aligned like someone on the floor.
    x0 = pw // 4
    person = person[ph - h :, x0 : x0 + pw // 2]
    bw = person.shape[1]
    out = [im.copy() for im in images]
    for k in range(frames_across):
        i = start + k
        if i >= len(out):
            break
        left = int(w - (w + bw) * (k + 1) / frames_across)
        a, b = max(0, left), min(w, left + bw)
        if b > a:
            out[i][:, a:b] = person[:, a - left : b - left]
    return out
