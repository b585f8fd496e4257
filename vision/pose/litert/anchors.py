"""The BlazePose detector's SSD anchors: where each of its 2254 candidate boxes is centred."""

from __future__ import annotations

import math

import numpy as np

#: The detector's input side, pixels (a square tensor).
DETECTOR_SIZE = 224
#: One stride per SSD layer; the last three share the 7x7 grid.
STRIDES = (8, 16, 32, 32, 32)


def ssd_anchors(size: int = DETECTOR_SIZE, strides: tuple[int, ...] = STRIDES) -> np.ndarray:
    """Anchor centres (N x 2, x and y in 0..1 of the tensor), in the model's output order.

    The BlazePose detector uses MediaPipe's SSD layout with fixed-size anchors: every anchor
    is 1 x 1, so only the centres matter. Layers sharing a stride share one grid, and each
    layer adds two anchors per cell (aspect ratio 1 and the interpolated scale between it and
    the next layer); the sizes themselves are not needed, only the count per cell.
    """
    centres: list[np.ndarray] = []
    layer = 0
    while layer < len(strides):
        same = layer
        per_cell = 0
        while same < len(strides) and strides[same] == strides[layer]:
            per_cell += 2  # one aspect ratio (1.0) plus the interpolated scale
            same += 1
        cells = math.ceil(size / strides[layer])
        grid = (np.arange(cells, dtype=np.float64) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        cell_centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(cell_centres, per_cell, axis=0))
        layer = same
    return np.concatenate(centres).astype(np.float32)
