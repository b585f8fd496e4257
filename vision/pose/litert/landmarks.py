"""The BlazePose landmark model on LiteRT: warp a region in, decode and project landmarks out."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vision.pose.litert.detector import StageTimes, write_input
from vision.pose.litert.roi import Roi
from vision.types import NUM_LANDMARKS

#: The landmark model's input side, pixels.
LANDMARK_SIZE = 256
#: 33 body landmarks, then 2 auxiliary ones (hip centre and full-body circle) for tracking,
#: then 4 more the model was trained with and nothing reads.
MODEL_LANDMARKS = 39
AUX = slice(33, 35)
#: Heatmap refinement: the window around each landmark, and the confidence it needs.
REFINE_KERNEL = 7
REFINE_MIN_CONFIDENCE = 0.5


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True, slots=True)
class Landmarks:
    """One run of the landmark model, projected to the whole image.

    ``presence`` is the model's pose flag (0..1); ``image`` 33 x 5 (x, y normalised to the
    image, z in the same scale as x, visibility and presence 0..1); ``world`` 33 x 3 metres;
    ``aux`` the two tracking points in image pixels; ``roi`` where the model looked.
    """

    presence: float
    image: np.ndarray
    world: np.ndarray
    aux: np.ndarray
    roi: Roi

    def next_roi(self) -> Roi:
        """The region for the next frame: the same alignment as the detector's, on the
        landmark model's own auxiliary points (MediaPipe's tracking)."""
        return Roi.from_alignment(self.aux[0], self.aux[1])


class LandmarkModel:
    """Runs ``pose_landmarks_detector.tflite`` on a region of an image.

    ``interpreter`` is a LiteRT ``Interpreter`` with tensors allocated. The outputs are
    told apart by shape: landmarks (1 x 195), pose flag (1 x 1), segmentation (unused),
    heatmap (1 x 64 x 64 x 39) and world landmarks (1 x 117).
    """

    def __init__(self, interpreter: Any) -> None:
        self.interpreter = interpreter
        self.times = StageTimes()
        self._input = interpreter.get_input_details()[0]["index"]
        by_shape = {
            tuple(int(v) for v in d["shape"]): d["index"] for d in interpreter.get_output_details()
        }
        self._landmarks = by_shape[(1, MODEL_LANDMARKS * 5)]
        self._flag = by_shape[(1, 1)]
        self._heatmap = next(
            i for s, i in by_shape.items() if len(s) == 4 and s[-1] == MODEL_LANDMARKS
        )
        self._world = by_shape[(1, MODEL_LANDMARKS * 3)]

    def run(
        self,
        rgb: np.ndarray,
        roi: Roi,
        min_presence: float,
        before_infer: Callable[[], None] | None = None,
    ) -> Landmarks | None:
        """The landmarks in ``roi`` of ``rgb``, or None when the pose flag is below
        ``min_presence`` (nobody there: tracking is lost). ``before_infer`` runs once the
        input is written, right before the model."""
        t0 = time.perf_counter()
        # Outside the image the border pixels are repeated (MediaPipe's default here).
        crop = cv2.warpAffine(
            rgb,
            roi.to_tensor(LANDMARK_SIZE),
            (LANDMARK_SIZE, LANDMARK_SIZE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        write_input(self.interpreter, self._input, crop, 1 / 255, 0.0)
        if before_infer is not None:
            before_infer()
        t1 = time.perf_counter()
        self.interpreter.invoke()
        presence = float(self.interpreter.get_tensor(self._flag).ravel()[0])
        t2 = time.perf_counter()
        if presence < min_presence:
            self.times = StageTimes(pre=t1 - t0, infer=t2 - t1, post=time.perf_counter() - t2)
            return None
        raw = self.interpreter.get_tensor(self._landmarks).reshape(MODEL_LANDMARKS, 5)
        # A view of the 64 x 64 x 39 heatmap (no copy): only 7 x 7 cells per landmark are read.
        heatmap = self.interpreter.tensor(self._heatmap)()[0]
        world_raw = self.interpreter.get_tensor(self._world).reshape(MODEL_LANDMARKS, 3)
        t3 = time.perf_counter()
        result = decode(raw, heatmap, world_raw, roi, presence, rgb.shape[1], rgb.shape[0])
        del heatmap  # LiteRT refuses to invoke while a view of its buffers is alive
        self.times = StageTimes(pre=t1 - t0, infer=t3 - t1, post=time.perf_counter() - t3)
        return result


def decode(
    raw: np.ndarray,
    heatmap: np.ndarray,
    world_raw: np.ndarray,
    roi: Roi,
    presence: float,
    width: int,
    height: int,
) -> Landmarks:
    """The model's tensors as `Landmarks` on a ``width`` x ``height`` image."""
    unit = raw[:, :2].astype(np.float64) / LANDMARK_SIZE
    unit = refine_from_heatmap(unit, heatmap)
    pixels = roi.to_image(unit)
    image = np.empty((MODEL_LANDMARKS, 5))
    image[:, 0] = pixels[:, 0] / width
    image[:, 1] = pixels[:, 1] / height
    # z is in the region's scale, like x: back to the image's width.
    image[:, 2] = raw[:, 2] / LANDMARK_SIZE * roi.size / width
    image[:, 3:5] = sigmoid(raw[:, 3:5].astype(np.float64))
    # World landmarks are metres around the hips, turned with the region only.
    c, s = math.cos(roi.rotation), math.sin(roi.rotation)
    world = world_raw[:NUM_LANDMARKS].astype(np.float64)
    x, y = world[:, 0].copy(), world[:, 1].copy()
    world[:, 0] = c * x - s * y
    world[:, 1] = s * x + c * y
    return Landmarks(presence, image[:NUM_LANDMARKS], world, pixels[AUX], roi)


def refine_from_heatmap(unit: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """Landmark positions (N x 2, 0..1 of the region) moved to their heatmap's local centroid.

    For each landmark, the sigmoid of its heatmap channel in a `REFINE_KERNEL`-wide window
    around it weights the cell positions; the landmark moves there when the window's peak
    is at least `REFINE_MIN_CONFIDENCE`. Landmarks off the map are kept. Like MediaPipe, a
    cell's position is its top-left corner, the centre cell is found by truncation, and
    only the column (not the row) is checked against the far edge.
    """
    rows, cols = heatmap.shape[:2]
    half = (REFINE_KERNEL - 1) // 2
    centre_col = np.trunc(unit[:, 0] * cols).astype(int)
    centre_row = np.trunc(unit[:, 1] * rows).astype(int)
    inside = (centre_col >= 0) & (centre_col < cols) & (centre_row >= 0)
    offsets = np.arange(-half, half + 1)
    win_rows = centre_row[:, None] + offsets  # N x K
    win_cols = centre_col[:, None] + offsets
    valid = ((win_rows >= 0) & (win_rows < rows))[:, :, None] & (
        (win_cols >= 0) & (win_cols < cols)
    )[:, None, :]
    channel = np.arange(len(unit))[:, None, None]
    logits = heatmap[
        np.clip(win_rows, 0, rows - 1)[:, :, None],
        np.clip(win_cols, 0, cols - 1)[:, None, :],
        channel,
    ]
    confidence = np.where(valid, sigmoid(logits.astype(np.float64)), 0.0)
    total = confidence.sum(axis=(1, 2))
    peak = confidence.max(axis=(1, 2))
    weighted_col = (confidence * win_cols[:, None, :]).sum(axis=(1, 2))
    weighted_row = (confidence * win_rows[:, :, None]).sum(axis=(1, 2))
    refine = inside & (peak >= REFINE_MIN_CONFIDENCE) & (total > 0)
    out = unit.copy()
    safe = np.where(total > 0, total, 1.0)
    out[refine, 0] = (weighted_col / cols / safe)[refine]
    out[refine, 1] = (weighted_row / rows / safe)[refine]
    return out
