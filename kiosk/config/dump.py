"""Write a config back out as TOML (``backstep config show``), each key under its description."""

from __future__ import annotations

import textwrap
from typing import Any

from pydantic import BaseModel

from kiosk.config.schema import BackstepConfig, ProgramBlock

#: Comment lines are wrapped to this width (with "# ", within the staff file's 90 columns).
_WIDTH = 88


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


def _comment(table: Any, text: str) -> None:
    """``text`` as comment lines wrapped to the staff file's width."""
    import tomlkit

    for line in textwrap.wrap(text, _WIDTH - 2, break_on_hyphens=False):
        table.add(tomlkit.comment(line))


def _described(table: Any, model: type[BaseModel], values: dict[str, Any]) -> None:
    """Add ``values`` to ``table``, each key under its field's description as a comment.

    Keys that share one description (width and height, the four zone edges) get it once.
    """
    last: str | None = None
    for key, value in values.items():
        description = model.model_fields[key].description
        if description and description != last:
            _comment(table, description)
        last = description
        table.add(key, value)


def dump_toml(config: BackstepConfig) -> str:
    """The config as TOML text that validates back to the same config.

    Every key comes under its schema description (`Field(description=...)`), the same text
    the shipped staff file's comment for that key holds (tests check both).
    """
    import tomlkit

    doc = tomlkit.document()
    for section, values in to_toml_data(config).items():
        if section == "programs":
            programs = tomlkit.table(is_super_table=True)
            for name, blocks in values.items():
                aot = tomlkit.aot()
                for block in blocks:
                    item = tomlkit.table()
                    _described(item, ProgramBlock, block)
                    aot.append(item)
                programs.add(name, aot)
            doc.add(section, programs)
            continue
        table = tomlkit.table()
        about = BackstepConfig.model_fields[section].description
        if about:
            _comment(table, about)
            table.add(tomlkit.nl())
        _described(table, type(getattr(config, section)), values)
        doc.add(section, table)
    return tomlkit.dumps(doc)
