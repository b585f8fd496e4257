"""Write a config back out as TOML (``backstep config show``)."""

from __future__ import annotations

from typing import Any

from kiosk.config.schema import BackstepConfig


def to_toml_data(config: BackstepConfig) -> dict[str, Any]:
    """The config as TOML-writable data: unset values become "" (paths) or "off" (GPIO pins)."""
    data = config.model_dump(mode="json")
    for section, values in data.items():
        if section == "programs":
            data[section] = {
                name: [{k: v for k, v in block.items() if v is not None} for block in blocks]
                for name, blocks in values.items()
            }
            continue
        for key, value in values.items():
            if value is None:
                values[key] = "off" if section == "gpio" else ""
    return data


def dump_toml(config: BackstepConfig) -> str:
    """The config as TOML text that validates back to the same config."""
    import tomli_w

    return tomli_w.dumps(to_toml_data(config))
