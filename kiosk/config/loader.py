"""Find and load the staff configuration file; the public face of the config-file modules.

The work is split by responsibility: :mod:`kiosk.config.validation` (parse, merge, validate),
:mod:`kiosk.config.problems` (issues and the error), :mod:`kiosk.config.lines` (key -> line),
:mod:`kiosk.config.keys` (what a key allows), :mod:`kiosk.config.dump` (TOML output). Their
public names are re-exported here, so ``from kiosk.config.loader import ...`` keeps working.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from kiosk.config.dump import dump_toml, to_toml_data
from kiosk.config.errors import ConfigFileError
from kiosk.config.keys import describe_allowed, dotted
from kiosk.config.lines import key_lines, line_of
from kiosk.config.problems import ConfigIssue, Loc, format_value
from kiosk.config.schema import BackstepConfig
from kiosk.config.validation import (
    check_config_file,
    deep_merge,
    defaults_data,
    parse_toml,
    read_config_file,
    validate_text,
)

__all__ = [
    "CONFIG_ENV",
    "LOOKUP_ORDER_HELP",
    "SYSTEM_CONFIG_PATH",
    "ConfigFileError",
    "ConfigIssue",
    "ConfigSource",
    "LoadedConfig",
    "Loc",
    "check_config_file",
    "config_candidates",
    "deep_merge",
    "defaults_data",
    "describe_allowed",
    "dotted",
    "dump_toml",
    "find_config",
    "format_value",
    "key_lines",
    "line_of",
    "load_config",
    "load_config_with_source",
    "packaged_default_path",
    "parse_toml",
    "read_config_file",
    "to_toml_data",
    "user_config_path",
    "validate_text",
]

logger = logging.getLogger(__name__)

#: Environment variable naming the config file (the systemd unit sets it).
CONFIG_ENV = "BACKSTEP_CONFIG"
#: Where `install.sh` puts the staff-edited file on a Pi.
SYSTEM_CONFIG_PATH = Path("/etc/backstep/backstep.toml")
#: The lookup order in words, for ``--config`` help texts.
LOOKUP_ORDER_HELP = (
    "The station's backstep.toml. Without it: $BACKSTEP_CONFIG, then "
    "/etc/backstep/backstep.toml, then the user config dir (~/.config/backstep/backstep.toml), "
    "then the packaged default."
)

ConfigSource = Literal["--config", "BACKSTEP_CONFIG", "system", "user", "default"]


def packaged_default_path() -> Path:
    """The documented default ``backstep.toml`` (installed wheel or source checkout)."""
    kiosk_dir = Path(__file__).resolve().parents[1]
    installed = kiosk_dir / "data" / "backstep.toml"
    if installed.exists():
        return installed
    return kiosk_dir.parent / "config" / "backstep.toml"


def user_config_path() -> Path:
    """The per-user config file (``~/.config/backstep/backstep.toml`` on Linux)."""
    return Path(platformdirs.user_config_dir("backstep")) / "backstep.toml"


def config_candidates(path: Path | str | None = None) -> Iterator[tuple[Path, ConfigSource]]:
    """The lookup order: --config, $BACKSTEP_CONFIG, /etc, the user config dir, the default."""
    if path is not None:
        yield Path(path), "--config"
    if env := os.environ.get(CONFIG_ENV):
        yield Path(env), "BACKSTEP_CONFIG"
    yield SYSTEM_CONFIG_PATH, "system"
    yield user_config_path(), "user"
    yield packaged_default_path(), "default"


def find_config(path: Path | str | None = None) -> tuple[Path, ConfigSource]:
    """The file to use and why. A file named explicitly (--config, env) must exist."""
    for candidate, source in config_candidates(path):
        if source in ("--config", "BACKSTEP_CONFIG") or candidate.is_file():
            return candidate, source
    # Only reachable when the packaged default is missing too (a broken install).
    return packaged_default_path(), "default"


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config together with the file it came from."""

    config: BackstepConfig
    path: Path
    source: ConfigSource


def load_config_with_source(path: Path | str | None = None) -> LoadedConfig:
    """Find (see `find_config`), read and validate the config; raises `ConfigFileError`."""
    found, source = find_config(path)
    if source == "default" and not found.is_file():
        logger.warning("no config file found; using built-in defaults")
        return LoadedConfig(BackstepConfig(), found, source)
    config = read_config_file(found)
    logger.debug("config loaded from %s (%s)", found, source)
    return LoadedConfig(config, found, source)


def load_config(path: Path | str | None = None) -> BackstepConfig:
    """Load and validate the configuration found by the lookup order; raises `ConfigFileError`."""
    return load_config_with_source(path).config
