"""The lean MediaPipe import: the pose landmarker without matplotlib, the rest still there."""

from __future__ import annotations

import json
import subprocess
import sys

from support.paths import ROOT

PROBE = """
import json, sys
from vision.pose import mp_lean
api = mp_lean.load()
lean = {"matplotlib": "matplotlib" in sys.modules, "mode": str(api.RunningMode.VIDEO)}
import mediapipe as mp  # later code that wants all of MediaPipe still gets it
from mediapipe.tasks.python import BaseOptions, vision
from mediapipe.tasks.python.vision import drawing_utils
print(json.dumps({**lean,
    "same_image": mp.Image is api.Image,
    "same_landmarker": vision.PoseLandmarker is api.PoseLandmarker,
    "same_options": BaseOptions is api.BaseOptions,
    "drawing": hasattr(drawing_utils, "draw_landmarks"),
    "tasks_vision": mp.tasks.vision.RunningMode is api.RunningMode}))
"""


def probe() -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_landmarker_loads_without_matplotlib_and_the_rest_of_mediapipe_still_works() -> None:
    seen = probe()
    assert seen["matplotlib"] is False
    assert seen["mode"] == "VisionTaskRunningMode.VIDEO"
    assert seen["same_image"] and seen["same_landmarker"] and seen["same_options"]
    assert seen["drawing"] and seen["tasks_vision"]
