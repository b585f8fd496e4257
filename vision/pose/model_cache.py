"""Backstep's cache on disk: where models and the wheel live, sidecars, verification records."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Environment variable that moves the whole cache (models and the wheel) elsewhere.
CACHE_ENV = "BACKSTEP_CACHE_DIR"


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


def variant_from_name(path: Path) -> str | None:
    """The variant in an official file name (``pose_landmarker_full.task`` -> full), else None."""
    stem = path.name.removesuffix(".task")
    variant = stem.removeprefix("pose_landmarker_")
    return variant if stem != variant and variant in ("lite", "full", "heavy") else None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON atomically (temporary file, then rename), readable by all."""
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


def sidecar_path(path: Path) -> Path:
    """The provenance JSON kept next to a cached model (``<name>.task.json``)."""
    return path.with_name(path.name + ".json")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Provenance of a cached model (source, variant, sha256, size), or {} when unknown."""
    try:
        data = json.loads(sidecar_path(path).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def cache_lock() -> Iterator[None]:
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


def runtime_version() -> str:
    """The installed mediapipe version; a record from another version is checked again."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mediapipe")
    except PackageNotFoundError:  # pragma: no cover - mediapipe is a dependency
        return "unknown"


def record_path(sha256: str) -> Path:
    """Where the verification record for content with this sha256 lives."""
    return models_dir() / "verified" / f"{sha256}.json"


def is_verified(path: Path, sha256: str | None = None) -> bool:
    """True when a file with this content already passed the inference check here.

    Records are keyed by sha256, so any change to the file (truncation, replacement) makes it
    unverified again; a staff file outside the cache is recorded the same way.
    """
    try:
        digest = sha256 or sha256_file(path)
        record = json.loads(record_path(digest).read_text())
        return bool(
            record.get("size") == path.stat().st_size
            and record.get("mediapipe") == runtime_version()
        )
    except (OSError, ValueError):
        return False


def remember_verified(path: Path, sha256: str) -> None:
    """Record that this content passed the inference check (best effort)."""
    record = {
        "sha256": sha256,
        "size": path.stat().st_size,
        "mediapipe": runtime_version(),
        "checked": "stored zip, both members, loads, person on demo clip",
        "verified_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        write_json(record_path(sha256), record)
    except OSError as exc:  # a read-only cache only costs a re-check next start
        logger.warning("cannot record verification of %s: %s", path, exc)
