"""The BlazePose person detector on LiteRT: letterbox, SSD decoding, weighted suppression."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vision.pose.litert.anchors import DETECTOR_SIZE, ssd_anchors
from vision.pose.litert.roi import Roi

#: Boxes overlapping the best one more than this (IoU) are merged into it.
SUPPRESSION_IOU = 0.3
#: Raw scores are clipped to this before the sigmoid (as MediaPipe does).
SCORE_CLIP = 100.0


@dataclass(frozen=True, slots=True)
class Detection:
    """The best person found: its score, box and the four keypoints, in image pixels.

    ``box`` is x0, y0, x1, y1; ``keypoints`` is 4 x 2: hip centre, a point on the circle
    around the whole body (its radius sets the region), shoulder centre, and a point on the
    circle around the upper body.
    """

    score: float
    box: np.ndarray
    keypoints: np.ndarray

    def roi(self) -> Roi:
        """The landmark model's region for this person (hip centre and full-body circle)."""
        return Roi.from_alignment(self.keypoints[0], self.keypoints[1])


@dataclass(slots=True)
class StageTimes:
    """Seconds one call spent preparing the input, in the model, and decoding the output."""

    pre: float = 0.0
    infer: float = 0.0
    post: float = 0.0


class PoseDetector:
    """Finds the most likely person in a whole image (the slow first step of tracking).

    ``interpreter`` is a LiteRT ``Interpreter`` of ``pose_detector.tflite`` with tensors
    allocated. Not thread-safe: one estimator, one thread.
    """

    def __init__(self, interpreter: Any, min_score: float) -> None:
        self.interpreter = interpreter
        self.min_score = min_score
        self.anchors = ssd_anchors()
        self.times = StageTimes()
        self._input = interpreter.get_input_details()[0]["index"]
        # Two outputs, told apart by their last dimension: regressors (N x 12), scores (N x 1).
        details = interpreter.get_output_details()
        by_width = {int(d["shape"][-1]): d["index"] for d in details}
        self._boxes, self._scores = by_width[12], by_width[1]
        if len(self.anchors) != int(details[0]["shape"][1]):
            raise ValueError("the detector's output does not match its SSD anchors")

    def detect(
        self, rgb: np.ndarray, before_infer: Callable[[], None] | None = None
    ) -> Detection | None:
        """The best-scoring person in ``rgb`` (after merging overlapping boxes), or None.

        ``before_infer`` runs once the input is written, right before the model.
        """
        t0 = time.perf_counter()
        h, w = rgb.shape[:2]
        side = float(max(w, h))
        # Letterbox: the whole image, centred in a square of its long side, on black.
        k = DETECTOR_SIZE / side
        matrix = np.array(
            [[k, 0.0, DETECTOR_SIZE / 2 - k * w / 2], [0.0, k, DETECTOR_SIZE / 2 - k * h / 2]]
        )
        boxed = cv2.warpAffine(
            rgb,
            matrix,
            (DETECTOR_SIZE, DETECTOR_SIZE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        write_input(self.interpreter, self._input, boxed, 2 / 255, -1.0)
        if before_infer is not None:
            before_infer()
        t1 = time.perf_counter()
        self.interpreter.invoke()
        raw = self.interpreter.get_tensor(self._boxes)[0]
        logits = self.interpreter.get_tensor(self._scores)[0, :, 0]
        t2 = time.perf_counter()
        found = self._decode(raw, logits)
        detection = None
        if found is not None:
            score, box, keypoints = found
            # Tensor units (0..1 of the square) back to image pixels: the square's corner.
            corner = np.array([w / 2 - side / 2, h / 2 - side / 2])
            box_px = box.reshape(2, 2) * side + corner
            detection = Detection(score, box_px.ravel(), keypoints * side + corner)
        self.times = StageTimes(pre=t1 - t0, infer=t2 - t1, post=time.perf_counter() - t2)
        return detection

    def _decode(
        self, raw: np.ndarray, logits: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray] | None:
        """The best box merged with those it overlaps, in tensor units, or None."""
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)))
        keep = np.flatnonzero(scores >= self.min_score)
        if keep.size == 0:
            return None
        anchors = self.anchors[keep]
        values = raw[keep] / DETECTOR_SIZE
        centre = values[:, 0:2] + anchors
        half = values[:, 2:4] / 2
        boxes = np.hstack([centre - half, centre + half])
        keypoints = values[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]
        kept = scores[keep]
        best = int(np.argmax(kept))
        # Weighted suppression, first cluster only: every box overlapping the best one is
        # averaged into it by score (only the best person is tracked).
        cluster = iou(boxes[best], boxes) > SUPPRESSION_IOU
        cluster[best] = True
        weights = kept[cluster] / kept[cluster].sum()
        box = (boxes[cluster] * weights[:, None]).sum(axis=0)
        points = (keypoints[cluster] * weights[:, None, None]).sum(axis=0)
        return float(kept[best]), box, points


def write_input(
    interpreter: Any, index: int, image: np.ndarray, scale: float, offset: float
) -> None:
    """``image`` (uint8) times ``scale`` plus ``offset``, written straight into the model's
    float input (no intermediate array, no copy by ``set_tensor``)."""
    view = interpreter.tensor(index)()  # the interpreter's own buffer: let go before invoke
    np.multiply(image, np.float32(scale), out=view[0])
    if offset:
        view += np.float32(offset)
    del view


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of ``box`` (x0, y0, x1, y1) with each of ``boxes`` (N x 4)."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
