"""Config-file problems: one issue per key with its line (`kiosk.config.errors` lists them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A key's location in the config data: section, key, array index ...
Loc = tuple[str | int, ...]

#: Marks an issue without a value (a missing key, a syntax error).
MISSING: Any = object()


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file: the dotted key, its value, where it is and what is allowed."""

    message: str
    key: str = ""
    value: Any = MISSING
    line: int | None = None
    column: int | None = None
    allowed: str = ""

    def format(self, path: Path | str) -> str:
        """``FILE:LINE: key = value: message (allowed: ...)``, the form `config check` prints."""
        where = str(path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = self.key
        if self.key and self.value is not MISSING:
            what += f" = {format_value(self.value)}"
        text = f"{where}: {what}: {self.message}" if what else f"{where}: {self.message}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


#: A password inside a libpq URL (``user:secret@``) or keyword string (``password=secret``).
_URL_PASSWORD = re.compile(r"(?i)(://[^:/@\s]*:)[^@\s]*@|(password\s*=\s*)[^&\s]*")


def hide_passwords(text: str) -> str:
    """``text`` with any connection password replaced by ``***`` (error lines are shown)."""

    def hide(m: re.Match[str]) -> str:
        return f"{m.group(1)}***@" if m.group(1) else f"{m.group(2)}***"

    return _URL_PASSWORD.sub(hide, text)


def format_value(value: Any, limit: int = 60) -> str:
    """A short TOML-like rendering of a value for an error line (passwords hidden)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | Path):
        shown = hide_passwords(str(value))
        text = '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k} = {format_value(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(format_value(v, limit) for v in value) + "]"
    elif value is None:
        text = '""'
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
