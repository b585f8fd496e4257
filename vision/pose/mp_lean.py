"""MediaPipe's pose landmarker without the rest of MediaPipe (no matplotlib, a quarter of the time).

Every ``import mediapipe...`` runs ``mediapipe/__init__.py``, which imports
``mediapipe.tasks.python``, whose ``__init__`` imports every task and
``vision.drawing_utils``, which imports ``matplotlib.pyplot``: measured here 0.65 s and
620 modules for any MediaPipe import, against 0.15 s and 255 modules for what the pose
landmarker really needs. No import path avoids those package ``__init__`` files, so
`load` registers the four package modules (``mediapipe``, ``mediapipe.tasks``,
``mediapipe.tasks.python``, ``mediapipe.tasks.python.vision``) from their real specs
*without running them* and then imports only the landmarker's own modules. Each package
runs its real ``__init__`` the first time someone asks it for a name it does not have yet
(PEP 562 ``__getattr__``), so any other MediaPipe code in the process (``mp.Image``,
``from mediapipe.tasks.python.vision import drawing_utils``) still works, just no longer
at start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

_PACKAGES = (
    "mediapipe",
    "mediapipe.tasks",
    "mediapipe.tasks.python",
    "mediapipe.tasks.python.vision",
)
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class PoseApi:
    """The MediaPipe names the estimator uses."""

    BaseOptions: Any
    PoseLandmarker: Any
    PoseLandmarkerOptions: Any
    RunningMode: Any
    Image: Any
    ImageFormat: Any


_api: PoseApi | None = None


#: The order the real imports finish their package ``__init__`` files in: ``mediapipe``'s
#: imports ``tasks`` then ``tasks.python``, whose own imports end with ``vision``; and the
#: outer one re-binds ``mediapipe.tasks`` to ``tasks.python``, so it must come last.
_INIT_ORDER = (
    "mediapipe.tasks",
    "mediapipe.tasks.python.vision",
    "mediapipe.tasks.python",
    "mediapipe",
)
_deferred: dict[str, ModuleType] = {}
_init_lock = threading.RLock()


def _run_real_inits() -> None:
    """Run the deferred package ``__init__`` files, once, in the order a full import would."""
    with _init_lock:
        pending = [(name, _deferred.pop(name)) for name in _INIT_ORDER if name in _deferred]
        for _name, module in pending:
            module.__dict__.pop("__getattr__", None)
            spec = module.__spec__
            assert spec is not None and spec.loader is not None
            spec.loader.exec_module(module)


def _deferred_package(name: str) -> ModuleType:
    """Package ``name`` registered from its real spec, its ``__init__`` run on first need."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"{name} is not installed")
    module = importlib.util.module_from_spec(spec)

    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        _run_real_inits()
        try:
            return module.__dict__[attr]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def _register_packages() -> None:
    parent: ModuleType | None = None
    for name in _PACKAGES:
        module = _deferred_package(name)
        sys.modules[name] = module
        _deferred[name] = module
        if parent is not None:
            setattr(parent, name.rsplit(".", 1)[1], module)
        parent = module


def load() -> PoseApi:
    """Import the pose landmarker's modules only (once; thread-safe); raises ImportError."""
    global _api
    with _lock:
        if _api is not None:
            return _api
        if "mediapipe" not in sys.modules:
            _register_packages()
        pose = importlib.import_module("mediapipe.tasks.python.vision.pose_landmarker")
        base = importlib.import_module("mediapipe.tasks.python.core.base_options")
        image = importlib.import_module("mediapipe.tasks.python.vision.core.image")
        mode = importlib.import_module(
            "mediapipe.tasks.python.vision.core.vision_task_running_mode"
        )
        _api = PoseApi(
            BaseOptions=base.BaseOptions,
            PoseLandmarker=pose.PoseLandmarker,
            PoseLandmarkerOptions=pose.PoseLandmarkerOptions,
            RunningMode=mode.VisionTaskRunningMode,
            Image=image.Image,
            ImageFormat=image.ImageFormat,
        )
        return _api
