"""Light and sharpness of a camera picture, in measures that do not depend on the scene much."""

from __future__ import annotations

import numpy as np

#: Mean brightness (0-255) below which the picture is too dark to trust. Measured on the three
#: fixture clips darkened step by step (docs/station-setup.md, "How the thresholds were
#: measured"): MediaPipe lost the member below a mean of 12 and its leg and trunk landmarks
#: moved 1.6-2x further from where it put them on the untouched clip at a mean of 18-20.
DARK_FAIL = 20.0
DARK_WARN = 35.0
#: Mean brightness above which the picture is washed out: at 228-232 the landmark error was
#: 2-10x the untouched clip's and the member was lost on some frames; at 189-214, 1-1.5x.
BRIGHT_FAIL = 225.0
BRIGHT_WARN = 210.0
#: The no-reference blur measure of Crete et al. (2007), 0 sharp .. 1 blurred. On the three
#: clips blurred step by step the landmark error doubled at 0.62-0.66 and the member began to
#: be lost at 0.74-0.80; the untouched clips read 0.27-0.51.
BLUR_FAIL = 0.72
BLUR_WARN = 0.62

_BLUR_KERNEL = 9


def mean_luma(image: np.ndarray) -> float:
    """Mean brightness of an RGB image, 0-255 (Rec. 601 luma, as OpenCV's grey)."""
    import cv2

    return float(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).mean())


def blur_effect(image: np.ndarray) -> float:
    """Crete et al. (2007) blur: how little blurring the picture again changes it (0..1).

    A sharp picture loses much of its neighbour-to-neighbour contrast when blurred again; an
    already blurred one loses little. The ratio is taken along rows and columns and the worse
    one kept (motion blur runs one way). It needs no reference picture and depends far less on
    the scene than the variance of the Laplacian (25 against 760 on two sharp fixture clips).
    """
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    kernel = np.ones(_BLUR_KERNEL) / _BLUR_KERNEL
    worst = 0.0
    for axis, shape in ((0, (_BLUR_KERNEL, 1)), (1, (1, _BLUR_KERNEL))):
        blurred = cv2.filter2D(grey, -1, kernel.reshape(shape))
        d_grey = np.abs(np.diff(grey, axis=axis))
        d_blur = np.abs(np.diff(blurred, axis=axis))
        total = float(d_grey.sum())
        if total <= 0:
            return 1.0  # a flat picture: nothing sharp in it at all
        lost = float(np.maximum(0.0, d_grey - d_blur).sum())
        worst = max(worst, (total - lost) / total)
    return worst
