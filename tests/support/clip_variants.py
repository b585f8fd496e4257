"""Harder versions of a real clip, as a gym would produce them: lower frame rates, a rail in
front of the hands, sensor noise, a passer-by in front of the member. Frames stay in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def looped_walk(images: list[np.ndarray], start: int, period: int, length: int) -> list[np.ndarray]:
    """``length`` frames of ``images[start : start + period]`` played over and over.

    With ``period`` a whole number of strides (one foot's contact to its next), the walker's
    pose at the seam continues the motion: a longer walk made of the clip's own frames.
    """
    return [images[start + k % period] for k in range(length)]


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
    person = _person_block(images[source][:, ::-1], images[0].shape[:2], scale)
    return _slide_across(images, start, frames_across, lambda _k: person)


def with_walking_passer_by(
    images: list[np.ndarray], start: int, frames_across: int, scale: float = 1.4
) -> list[np.ndarray]:
    """A taller person *walking* across in front of the member, the way the member faces.

    The passer-by is the clip's own walker played in reverse (so walking forward, facing
    left, legs moving: the same facing as the member, so facing alone cannot tell them
    apart), ``scale`` times larger (nearer the camera, taller in the frame), in a block that
    slides right to left over ``frames_across`` frames, hiding the member as it passes.
    """
    shape = images[0].shape[:2]
    n = len(images)
    blocks = [_person_block(images[n - 1 - k % n], shape, scale) for k in range(frames_across)]
    return _slide_across(images, start, frames_across, lambda k: blocks[k])


def _person_block(image: np.ndarray, shape: tuple[int, ...], scale: float) -> np.ndarray:
    """The middle half of ``image`` scaled by ``scale``, cut to the frame height, bottom-aligned
    like someone standing on the floor (the clip is cropped around the walker's hips)."""
    import cv2

    h = shape[0]
    person = cv2.resize(image, None, fx=scale, fy=scale)
    ph, pw = person.shape[:2]
    x0 = pw // 4
    return np.ascontiguousarray(person[ph - h :, x0 : x0 + pw // 2])


def _slide_across(
    images: list[np.ndarray],
    start: int,
    frames_across: int,
    block_at: Callable[[int], np.ndarray],
) -> list[np.ndarray]:
    """Paste ``block_at(k)`` on frame ``start + k``, sliding from the right edge to the left."""
    w = images[0].shape[1]
    out = [im.copy() for im in images]
    for k in range(frames_across):
        i = start + k
        if i >= len(out):
            break
        person = block_at(k)
        bw = person.shape[1]
        left = int(w - (w + bw) * (k + 1) / frames_across)
        a, b = max(0, left), min(w, left + bw)
        if b > a:
            out[i][:, a:b] = person[:, a - left : b - left]
    return out
