"""Is a ``.task`` file a working pose landmarker? Structure, then a real inference check."""

from __future__ import annotations

import contextlib
import logging
import zipfile
from pathlib import Path
from typing import Any

from vision.errors import ModelError
from vision.pose.model_bundle import BUNDLE_MEMBERS
from vision.pose.model_cache import is_verified, remember_verified, sha256_file
from vision.pose.native_log import native_stderr_to_log

logger = logging.getLogger(__name__)

#: Advice appended to errors about a file Backstep manages.
FETCH_HINT = "delete it and run `backstep model fetch`"
_DEMO_CLIP = Path(__file__).resolve().parents[1] / "data" / "demo.mp4"
_ZIP_MAGIC = b"PK\x03\x04"


def check_bundle(path: Path, *, hint: str = FETCH_HINT, test_crc: bool = True) -> None:
    """Check the file is a stored zip with both pose members; raise ModelError if not."""
    what = f"model file {path}"
    if not path.exists():
        # Nothing to delete: keep only the "run ..." part of the usual advice.
        raise ModelError(f"{what} does not exist: {hint.replace('delete it and ', '')}")
    if not path.is_file():
        raise ModelError(f"{what} is not a file: {hint}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if not zipfile.is_zipfile(path):
            if head == _ZIP_MAGIC:
                raise ModelError(f"{what} is truncated (not a complete zip): {hint}")
            raise ModelError(f"{what} is not a .task bundle (not a zip file): {hint}")
        with zipfile.ZipFile(path) as zf:
            infos = {info.filename: info for info in zf.infolist()}
            for member in BUNDLE_MEMBERS:
                if member not in infos:
                    raise ModelError(
                        f"{what} has no {member} (not a pose landmarker bundle): {hint}"
                    )
            packed = [n for n in BUNDLE_MEMBERS if infos[n].compress_type != zipfile.ZIP_STORED]
            if packed:
                raise ModelError(
                    f"{what} is a compressed zip (MediaPipe needs stored members): {hint}"
                )
            if test_crc:
                bad = zf.testzip()
                if bad is not None:
                    raise ModelError(f"{what} is corrupt (bad CRC in {bad}): {hint}")
    except ModelError:
        raise
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(f"{what} cannot be read ({exc}): {hint}") from exc


def _demo_frames(count: int = 3, step: int = 10) -> list[Any]:
    """A few RGB frames of the built-in demo clip, to check a model sees a person."""
    import cv2

    cap = cv2.VideoCapture(str(_DEMO_CLIP))
    frames: list[Any] = []
    try:
        index = 0
        while len(frames) < count:
            ok, bgr = cap.read()
            if not ok:
                break
            if index % step == 0:
                frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            index += 1
    finally:
        cap.release()
    return frames


def check_inference(path: Path, *, hint: str = FETCH_HINT) -> None:
    """Load the model in MediaPipe's PoseLandmarker and require a person on the demo clip."""
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import (
        PoseLandmarker,
        PoseLandmarkerOptions,
        RunningMode,
    )

    frames = _demo_frames()
    if not frames:
        raise ModelError(f"cannot check {path}: demo clip {_DEMO_CLIP} is missing or unreadable")
    options = PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(path)),
        running_mode=RunningMode.IMAGE,
        num_poses=1,
    )
    with native_stderr_to_log():
        _check_person(PoseLandmarker.create_from_options, options, frames, path, hint)


def _check_person(create: Any, options: Any, frames: list[Any], path: Path, hint: str) -> None:
    """Create the landmarker; return once it finds a person in one of ``frames``."""
    import mediapipe as mp

    try:
        landmarker = create(options)
    except Exception as exc:  # MediaPipe raises RuntimeError/ValueError with C++ status text
        raise ModelError(
            f"model file {path} does not load in MediaPipe ({_reason(exc)}): {hint}"
        ) from exc
    try:
        for rgb in frames:
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            if landmarker.detect(image).pose_landmarks:
                return
    except Exception as exc:  # a graph that loads may still fail on its first frame
        raise ModelError(
            f"model file {path} fails on the demo clip ({_reason(exc)}): {hint}"
        ) from exc
    finally:
        close_landmarker(landmarker)
    raise ModelError(
        f"model file {path} loads but finds no person on the demo clip (wrong model?): {hint}"
    )


def close_landmarker(landmarker: Any) -> None:
    """Close a PoseLandmarker even when its graph has failed.

    mediapipe 1.2.2: after a graph error, ``close()`` raises the same error and leaves the
    handle set, so ``__del__`` closes again later; when the garbage collector runs that on the
    task's own dispatcher thread it waits on itself and the process hangs (seen here). Clearing
    the handle and shutting the dispatcher down ourselves avoids that.
    """
    try:
        with native_stderr_to_log():
            landmarker.close()
    except Exception as exc:
        logger.debug("closing a failed PoseLandmarker: %s", _reason(exc))
        landmarker._handle = None
        for part in ("_dispatcher", "_lib"):
            with contextlib.suppress(Exception):
                getattr(landmarker, part).close()


def _reason(exc: BaseException) -> str:
    """The useful tail of a MediaPipe C++ status message, on one short line."""
    text = " ".join(str(exc).split())
    if "failed: " in text:
        text = text.rsplit("failed: ", 1)[1]
    text = text or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def verify_model(path: Path, *, hint: str = FETCH_HINT) -> str:
    """Verify a ``.task`` file and return its sha256; raise ModelError (one line) if bad.

    Verified = a stored zip with both tflite members that loads in MediaPipe's PoseLandmarker
    and finds a person on the built-in demo clip. Content verified before (same sha256 and
    mediapipe version) only gets the cheap structural check.
    """
    path = Path(path)
    check_bundle(path, hint=hint, test_crc=False)
    digest = sha256_file(path)
    if is_verified(path, digest):
        return digest
    check_bundle(path, hint=hint, test_crc=True)
    check_inference(path, hint=hint)
    remember_verified(path, digest)
    return digest
