"""Write what the staff screen changed (zone, paired device) into the staff file, comments kept.

The staff file stays the one truth: a zone set on the staff screen is saved in it, with every
comment, blank line and key order as staff left them (tomlkit edits the parsed document in
place). The new text is validated before it is written, and it is written beside the file and
renamed over it, so a power cut or a full disk never leaves a half-written or invalid file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from kiosk.config.errors import ConfigWriteError as ConfigWriteError
from kiosk.config.loader import ConfigFileError, validate_text
from vision.settings import ZoneConfig

logger = logging.getLogger(__name__)

#: Decimal places kept for zone edges (a thousandth of the frame is below a pixel at 640).
ZONE_DIGITS = 3


def save_zone(path: Path, zone: ZoneConfig, console_side: str | None = None) -> None:
    """Set ``[zone]`` x0, y0, x1, y1 in the staff file at ``path``, keeping everything else;
    with ``console_side`` ("left"/"right") also ``[safety] console_side``.

    Raises `ConfigWriteError` (file untouched) when the file cannot be read or parsed, when
    it has errors of its own (safe mode: staff must fix it first), or cannot be written.
    """
    updates: dict[str, Mapping[str, object]] = {
        "zone": {
            key: round(float(getattr(zone, key)), ZONE_DIGITS) for key in ("x0", "y0", "x1", "y1")
        }
    }
    if console_side is not None:
        updates["safety"] = {"console_side": console_side}
    _set_keys(path, updates)
    logger.info("zone saved in %s: %s (console side %s)", path, zone, console_side or "kept")


#: The sections a device can be paired into from the staff screen.
DEVICE_SECTIONS = ("treadmill", "heart_rate")


def save_device(path: Path, section: str, device: str) -> None:
    """Pair a device: ``[treadmill]`` or ``[heart_rate]`` gets ``device`` and ``enabled = true``.

    The same guarantees as `save_zone` (comments kept, validated first, written whole).
    """
    if section not in DEVICE_SECTIONS:
        raise ConfigWriteError(f"cannot pair a device into [{section}]")
    _set_keys(path, {section: {"enabled": True, "device": device}})
    logger.info("%s paired in %s: %s", section, path, device)


def _set_keys(path: Path, updates: Mapping[str, Mapping[str, object]]) -> None:
    """Set each section's values in the staff file at once, keeping everything else as it was."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigWriteError(f"cannot read {path}: {exc}") from exc
    for section, values in updates.items():
        table = doc.get(section)
        if table is None:
            table = tomlkit.table()
            table.comment("set on the staff screen")
            doc.add(tomlkit.nl())
            doc.add(section, table)
        elif not isinstance(table, dict):
            raise ConfigWriteError(f"{path}: {section} is not a table")
        for key, value in values.items():
            table[key] = value
    new_text = tomlkit.dumps(doc)
    try:
        validate_text(new_text, path)
    except ConfigFileError as exc:
        first = exc.issues[0].format(path) if exc.issues else str(exc)
        raise ConfigWriteError(f"not saved: the file has errors ({first})") from exc
    _replace(path, new_text)


def _replace(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it over, keeping the file's permissions."""
    try:
        mode = path.stat().st_mode & 0o777
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ConfigWriteError(f"cannot write in {path.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp makes it 0600; the file keeps its own (0660 on a Pi)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ConfigWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
