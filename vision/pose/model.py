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
   (:mod:`vision.pose.model_bundle`; pip fetches the ~36 MB wheel once, and it is deleted
   once the model is built). Only "full" exists there: the kiosk asking for "lite" or "heavy"
   without the download gets the full model and a warning (a kiosk that runs a slightly
   different model beats one that does not start); ``backstep model fetch --variant lite``
   instead fails and says so.

``offline=True`` uses nothing from the network: a cached model, or a mediapipe wheel copied
into ``<cache>/wheels`` by hand. ``pypi_only=True`` skips step 3.

A file is *verified* when it is a stored zip holding both tflite members, loads in MediaPipe's
PoseLandmarker and finds a person on a frame of the built-in demo clip. A verification record
keyed by the file's sha256 (under ``<cache>/models/verified/``) spares later starts the
inference check; any change to the file changes its sha256, so a truncated or replaced file is
checked again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vision.errors import ModelError
from vision.pose.model_bundle import build_full_bundle, download_wheel
from vision.pose.model_cache import (
    CACHE_ENV,
    cache_dir,
    cache_lock,
    cached_model_path,
    is_verified,
    models_dir,
    read_sidecar,
    sha256_file,
    sidecar_path,
    variant_from_name,
    wheels_dir,
    write_json,
)
from vision.pose.model_check import check_bundle, check_inference, verify_model
from vision.settings import ModelConfig

logger = logging.getLogger(__name__)

__all__ = [
    "CACHE_ENV",
    "ModelInfo",
    "ResolvedModel",
    "cache_dir",
    "cached_model_path",
    "check_bundle",
    "check_inference",
    "describe_model",
    "ensure_model",
    "find_model",
    "is_verified",
    "read_sidecar",
    "resolve_model",
    "verify_model",
]

Variant = Literal["lite", "full", "heavy"]
Source = Literal["config", "cache", "download", "offline-build"]

#: Official model location; ``{variant}`` is lite, full or heavy.
MODEL_URL_TEMPLATE = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)
#: Seconds before the official download gives up; the offline build is the fallback.
DOWNLOAD_TIMEOUT_S = 10.0
#: The only variant whose weights are in the mediapipe wheels.
OFFLINE_VARIANT: Variant = "full"

_CONFIG_HINT = "fix model.path in the config, or leave it empty to use the cached model"


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
        write_json(sidecar_path(target), sidecar)
    except OSError as exc:
        logger.warning("cannot write %s: %s", sidecar_path(target), exc)


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
    except ModelError as exc:
        raise ModelError(f"download of {url} gave a bad file ({exc})") from exc
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ModelError(f"download of {url} failed ({exc})") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _build_offline(target: Path, *, allow_network: bool = True) -> None:
    """Build the full model from the cached (or freshly pip-downloaded) mediapipe wheel.

    The ~36 MB wheel is deleted once the model is built and verified: only its two tflite
    files were needed, and a Pi's SD card is small.
    """
    wheel = download_wheel(wheels_dir(), allow_network=allow_network)
    tmp = _temp_in(target.parent, target.name)
    try:
        started = time.monotonic()
        build_full_bundle(wheel, tmp)
        _install(tmp, target, source="offline-build", variant=OFFLINE_VARIANT, origin=wheel.name)
        logger.info("built %s in %.1f s", target, time.monotonic() - started)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    try:
        wheel.unlink()
        logger.info("removed %s (the model is built)", wheel)
    except OSError as exc:
        logger.warning("cannot remove %s: %s", wheel, exc)


def _cached(variant: str, *, replace_damaged: bool) -> Path | None:
    """The cached model for ``variant`` if it verifies.

    A damaged file raises ModelError, or with ``replace_damaged`` is deleted (with its sidecar)
    so that the caller can fetch or build it again.
    """
    target = cached_model_path(variant)
    if not target.exists():
        return None
    try:
        verify_model(target)
    except ModelError as exc:
        if not replace_damaged:
            raise
        logger.warning("replacing damaged cached model: %s", exc)
        for stale in (target, sidecar_path(target)):
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
    return ResolvedModel(path, "config", variant_from_name(path))


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
        path = _cached(variant, replace_damaged=False)
        if path is not None:
            note = None if variant == cfg.variant else _fallback_note(cfg.variant, "not cached")
            return ResolvedModel(path, "cache", variant, note)
    raise ModelError(
        f"no pose model in the cache ({cached_model_path(cfg.variant)}): run `backstep model fetch`"
    )


def resolve_model(
    cfg: ModelConfig, *, offline: bool = False, pypi_only: bool = False
) -> ResolvedModel:
    """Return a verified model, fetching or building it into the cache when needed.

    ``offline``: nothing from the network; only a cached model or a mediapipe wheel already in
    ``<cache>/wheels`` (copied there by hand). ``pypi_only``: skip the official download and
    build the full model from the mediapipe wheel on PyPI (pip, once).
    """
    configured = _from_config(cfg)
    if configured is not None:
        return configured
    path = _cached(cfg.variant, replace_damaged=True)
    if path is not None:
        return ResolvedModel(path, "cache", cfg.variant)
    try:
        with cache_lock():
            return _fetch_locked(cfg.variant, offline=offline, pypi_only=pypi_only)
    except OSError as exc:
        raise ModelError(
            f"cannot write the model cache {models_dir()} ({exc}): set {CACHE_ENV} to a "
            "writable directory, or set model.path in the config"
        ) from exc


def _fetch_locked(variant: str, *, offline: bool, pypi_only: bool = False) -> ResolvedModel:
    """Download or build ``variant`` into the cache; the caller holds the cache lock."""
    path = _cached(variant, replace_damaged=True)  # another process may have just made it
    if path is not None:
        return ResolvedModel(path, "cache", variant)
    why = "offline mode" if offline else "the official download was skipped"
    if not offline and not pypi_only:
        try:
            target = cached_model_path(variant)
            _download(variant, target)
            return ResolvedModel(target, "download", variant)
        except ModelError as exc:
            why = "the official download failed"
            logger.warning("%s; falling back to the offline build", exc)
    note = None if variant == OFFLINE_VARIANT else _fallback_note(variant, why)
    if note:
        logger.warning("%s", note)
        full = _cached(OFFLINE_VARIANT, replace_damaged=True)
        if full is not None:
            return ResolvedModel(full, "cache", OFFLINE_VARIANT, note)
    full = cached_model_path(OFFLINE_VARIANT)
    _build_offline(full, allow_network=not offline)
    return ResolvedModel(full, "offline-build", OFFLINE_VARIANT, note)


def ensure_model(cfg: ModelConfig, *, offline: bool = False, pypi_only: bool = False) -> Path:
    """Path of a verified pose landmarker ``.task`` file (see the module doc for the order).

    Raises ModelError with a one-line message that says what to do.
    """
    return resolve_model(cfg, offline=offline, pypi_only=pypi_only).path


def describe_model(path: Path) -> ModelInfo:
    """Facts about a model file for ``backstep model info`` (no inference is run)."""
    path = Path(path)
    check_bundle(path, test_crc=False)
    digest = sha256_file(path)
    record = read_sidecar(path)
    source = str(record.get("source", "not fetched by backstep"))
    if record.get("origin"):
        source = f"{source} ({record['origin']})"
    if record and record.get("sha256") != digest:
        source = f"{source}, changed since it was fetched"
    variant = record.get("variant") or variant_from_name(path)
    return ModelInfo(
        path=path,
        variant=variant,
        size=path.stat().st_size,
        sha256=digest,
        source=source,
        verified=is_verified(path, digest),
    )
