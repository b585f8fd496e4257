"""Find, read and validate the staff configuration file."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

from kiosk.settings import BackstepConfig

logger = logging.getLogger(__name__)


def packaged_default_path() -> Path:
    """The documented default ``backstep.toml`` (installed wheel or source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "data" / "backstep.toml"
    if installed.exists():
        return installed
    return here.parent / "config" / "backstep.toml"


def load_config(path: Path | str | None = None) -> BackstepConfig:
    """Load and validate the configuration (minimal loader; see the config issue)."""
    if path is None:
        env = os.environ.get("BACKSTEP_CONFIG")
        path = Path(env) if env else None
    if path is None:
        return BackstepConfig()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return BackstepConfig.model_validate(data)
