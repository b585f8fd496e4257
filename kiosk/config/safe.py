"""Safe mode at start-up: an invalid staff file starts the kiosk on the last valid config.

A staff edit with a typo must not leave a gym with a blank screen. The kiosk keeps a copy of
the last file that validated (in its state directory); at start-up an invalid file falls back
to that copy, and with no valid copy ever to the packaged defaults. Either way the errors are
logged and shown on the staff screen, and fixing the file + ``systemctl reload backstep``
leaves safe mode.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import platformdirs

from kiosk.config.loader import (
    ConfigFileError,
    ConfigIssue,
    ConfigSource,
    find_config,
    format_value,
    packaged_default_path,
    read_config_file,
)
from kiosk.config.problems import MISSING
from kiosk.config.schema import BackstepConfig

logger = logging.getLogger(__name__)

#: The copy of the last valid staff file, in the kiosk's state directory.
LAST_VALID_NAME = "last-valid-config.toml"
#: Overrides the directory the copy is kept in (tests; unusual layouts).
STATE_ENV = "BACKSTEP_STATE_DIR"


class ConfigMode(Enum):
    """Which configuration the kiosk started on."""

    STAFF_FILE = "staff file"
    LAST_VALID = "last valid config"
    DEFAULTS = "packaged defaults"


@dataclass(frozen=True)
class SafeLoad:
    """The config to run on, the staff file (reloads re-read it) and what went wrong."""

    config: BackstepConfig
    path: Path
    source: ConfigSource
    mode: ConfigMode
    #: For the staff screen (short: its lines are narrow): what runs, then each error by line.
    #: The journal gets the long forms, with the file name, when the config is loaded.
    problems: list[str] = field(default_factory=list)

    @property
    def safe_mode(self) -> bool:
        """True when a staff file exists but was not usable."""
        return bool(self.problems)


def state_dir() -> Path:
    """``$BACKSTEP_STATE_DIR``, systemd's ``STATE_DIRECTORY`` (/var/lib/backstep), else the
    user state directory (~/.local/state/backstep)."""
    if override := os.environ.get(STATE_ENV):
        return Path(override)
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    return Path(platformdirs.user_state_dir("backstep"))


def last_valid_path() -> Path:
    """Where the last valid staff file is kept."""
    return state_dir() / LAST_VALID_NAME


def remember_valid(path: Path) -> None:
    """Keep a copy of ``path`` (just validated) as the last valid config; never raises.

    Written beside and renamed, so a power cut never leaves half a file; private to the
    service (it holds the staff PIN).
    """
    target = last_valid_path()
    if path.resolve() == packaged_default_path().resolve():
        return  # the packaged defaults are always there; only staff files are worth keeping
    try:
        text = path.read_bytes()
        if target.is_file() and target.read_bytes() == text:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".last-valid.", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        os.replace(tmp, target)
        logger.debug("kept %s as the last valid config (%s)", path, target)
    except OSError as exc:
        logger.warning("cannot keep a copy of the valid config in %s: %s", target, exc)


def load_config_safe(path: Path | str | None = None) -> SafeLoad:
    """The staff file if valid; else the last valid copy; else the packaged defaults.

    Never raises for a bad file: the kiosk must start and show the problem to staff.
    """
    found, source = find_config(path)
    if source == "default":
        return _defaults(found, source, [])
    try:
        config = read_config_file(found)
    except ConfigFileError as exc:
        issues = exc.issues
    else:
        remember_valid(found)
        return SafeLoad(config, found, source, ConfigMode.STAFF_FILE)
    for issue in issues:
        logger.error("config: %s", issue.format(found))
    problems = [short_issue(issue) for issue in issues]
    kept = last_valid_path()
    if kept.is_file():
        try:
            config = read_config_file(kept)
        except ConfigFileError as exc:  # e.g. a setting an update removed
            logger.error("the last valid config %s no longer validates: %s", kept, exc)
        else:
            when = dt.datetime.fromtimestamp(kept.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            logger.error(
                "SAFE MODE: %s is invalid; running on the last valid config (%s, kept %s). "
                "Fix the file, then reload.",
                found,
                kept,
                when,
            )
            note = f"SAFE MODE: last valid config in use (kept {when})"
            return SafeLoad(config, found, source, ConfigMode.LAST_VALID, [note, *problems])
    return _defaults(found, source, problems)


def _defaults(found: Path, source: ConfigSource, problems: list[str]) -> SafeLoad:
    """The packaged defaults; with ``problems``, say loudly that this is safe mode."""
    try:
        config = read_config_file(packaged_default_path())
    except ConfigFileError:  # a broken install: the built-in defaults still run
        logger.exception("the packaged default config is unusable; using built-in defaults")
        config = BackstepConfig()
    if not problems:
        logger.warning("no staff config file found; running on the packaged defaults")
        return SafeLoad(config, found, source, ConfigMode.DEFAULTS)
    logger.error(
        "SAFE MODE: %s is invalid and no valid config was ever kept; running on the packaged "
        "defaults. Fix the file, then reload.",
        found,
    )
    note = "SAFE MODE: packaged defaults in use (config invalid)"
    return SafeLoad(config, found, source, ConfigMode.DEFAULTS, [note, *problems])


def short_issue(issue: ConfigIssue) -> str:
    """``line 8: posture.forward_warn_deg = "ten" (allowed: ...)``: fits the staff screen."""
    where = f"line {issue.line}" if issue.line is not None else "config"
    what = issue.key
    if issue.key and issue.value is not MISSING:
        what += f" = {format_value(issue.value, 20)}"
    # pydantic's type messages ("Input should be ...") say less than what is allowed; a rule
    # across keys (x0 < x1) says more than the single key's range.
    generic = issue.message.startswith("Input should")
    why = f"allowed: {issue.allowed}" if issue.allowed and generic else issue.message
    return f"{where}: {what}: {why}" if what else f"{where}: {why}"
