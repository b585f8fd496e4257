"""Parse and validate config text, reporting every problem with its key, value and line."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.config.errors import ConfigFileError
from kiosk.config.keys import (
    as_model,
    describe_allowed,
    dotted,
    resolve_field,
    type_words,
    value_at,
)
from kiosk.config.lines import key_lines, line_of
from kiosk.config.problems import MISSING, ConfigIssue, Loc
from kiosk.config.schema import BackstepConfig


def _issues_from_validation(
    exc: ValidationError, data: Mapping[str, Any], lines: Mapping[Loc, int]
) -> list[ConfigIssue]:
    merged: dict[str, ConfigIssue] = {}
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "cross_field":
            # Point at the first involved field the file sets (else the first one named).
            candidates: list[Loc] = [(*loc, *str(f).split(".")) for f in ctx.get("fields", ())]
            in_file = [c for c in candidates if c in lines]
            loc = (in_file or candidates or [loc])[0]
        elif error["type"] != "missing":
            # Union members add their own loc parts ("int", "str"): keep what the file has.
            while len(loc) > 1 and value_at(data, loc) is MISSING:
                loc = loc[:-1]
        key = dotted(loc)
        message = error["msg"].removeprefix("Value error, ")
        allowed = describe_allowed(loc)
        if error["type"] == "extra_forbidden":
            parent = as_model(resolve_field(loc[:-1])[0])
            choices = list(parent.model_fields) if parent else []
            close = difflib.get_close_matches(str(loc[-1]), choices, n=1, cutoff=0.6)
            message = "unknown key" + (f"; did you mean '{close[0]}'?" if close else "")
            allowed = "keys " + ", ".join(choices) if choices else ""
        elif error["type"] == "missing":
            message = "required key is missing"
        elif error["type"] == "literal_error":
            message = "not one of the choices"
        elif error["type"] in ("model_type", "model_attributes_type", "dict_type"):
            message = "must be a table"
        if key in merged:
            # Each member of a union (`int | str`) reports its own error: say it once.
            previous = merged[key]
            if message != previous.message:
                merged[key] = ConfigIssue(
                    "wrong type", key, previous.value, previous.line, allowed=previous.allowed
                )
            continue
        value = value_at(data, loc) if error["type"] != "missing" else MISSING
        merged[key] = ConfigIssue(message, key, value, line_of(lines, loc), allowed=allowed)
    return sorted(merged.values(), key=lambda i: (i.line is None, i.line or 0, i.key))


_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_toml(text: str, path: Path | str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a `ConfigFileError` with its line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        if m := _POSITION_RE.search(message):
            line, column = int(m.group(1)), int(m.group(2))
            message = message[: m.start()]
        elif message.endswith("(at end of document)"):
            line = text.count("\n") + 1
            message = message.removesuffix("(at end of document)").strip()
        issue = ConfigIssue(f"TOML syntax error: {message}", line=line, column=column)
        raise ConfigFileError(path, [issue]) from None


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays and scalars in ``override`` replace those in ``base``."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def defaults_data() -> dict[str, Any]:
    """The schema defaults as plain data, the base every file is merged over."""
    return BackstepConfig().model_dump()


def validate_text(text: str, path: Path | str, *, merge: bool = True) -> BackstepConfig:
    """Validate TOML text as a config file; ``merge`` lays it over the defaults first.

    Raises `ConfigFileError` listing every problem with its key, value, line and what is allowed.
    """
    data = parse_toml(text, path)
    merged = deep_merge(defaults_data(), data) if merge else data
    lines = key_lines(text)
    issues = _bool_for_number_issues(data, lines)
    try:
        config = BackstepConfig.model_validate(merged)
    except ValidationError as exc:
        flagged = {i.key for i in issues}
        issues += [i for i in _issues_from_validation(exc, merged, lines) if i.key not in flagged]
    if issues:
        issues.sort(key=lambda i: (i.line is None, i.line or 0, i.key))
        raise ConfigFileError(path, issues)
    return config


def _bool_for_number_issues(
    data: Any, lines: Mapping[Loc, int], loc: Loc = ()
) -> list[ConfigIssue]:
    """``true``/``false`` where a number belongs: pydantic would quietly read them as 1 and 0."""
    if isinstance(data, Mapping):
        return [i for k, v in data.items() for i in _bool_for_number_issues(v, lines, (*loc, k))]
    if isinstance(data, list):
        return [i for n, v in enumerate(data) for i in _bool_for_number_issues(v, lines, (*loc, n))]
    annotation, info, _ = resolve_field(loc)
    if not isinstance(data, bool) or info is None or "true or false" in type_words(annotation):
        return []
    if as_model(annotation) is not None:
        return []
    allowed = describe_allowed(loc)
    if allowed.endswith('or "off"'):  # gpio pins: false means off, true is refused by the model
        return []
    message = f"{'true' if data else 'false'} is not a number here"
    return [ConfigIssue(message, dotted(loc), data, line_of(lines, loc), allowed=allowed)]


#: A staff file is a few kB; anything this big is a mistake (a log or an image copied over it),
#: and reading it must not hold up the kiosk.
MAX_CONFIG_BYTES = 1024 * 1024


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file under the size cap (ConfigFileError else).

    Opened non-blocking and checked with ``fstat`` on the open file, so a FIFO or a device
    put at the config path is refused at once instead of blocking the reader.
    """
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigFileError(
                path, [ConfigIssue("not a regular file (a FIFO, device or folder)")]
            )
        if info.st_size > MAX_CONFIG_BYTES:
            size = f"{info.st_size / 1e6:.1f} MB"
            raise ConfigFileError(
                path, [ConfigIssue(f"too large ({size}; a config file is at most 1 MB)")]
            )
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return fh.read(MAX_CONFIG_BYTES + 1)
    finally:
        if fd >= 0:
            os.close(fd)


def read_config_file(path: Path | str, *, merge: bool = True) -> BackstepConfig:
    """Read and validate one file (see `validate_text`); an unreadable file is a ConfigFileError.

    An empty or whitespace-only file is an error, not "all defaults": a truncated save or a
    full disk must not reset the staff PIN and kiosk mode.
    """
    try:
        raw = _read_regular_file(Path(path))
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(path, [ConfigIssue("not UTF-8 text", line=line)]) from None
    except OSError as exc:
        raise ConfigFileError(path, [ConfigIssue(f"cannot read: {exc.strerror or exc}")]) from None
    if not text.strip():
        raise ConfigFileError(
            path, [ConfigIssue("the file is empty (keeping every setting as it was)")]
        )
    return validate_text(text, path, merge=merge)


def check_config_file(path: Path | str) -> list[ConfigIssue]:
    """Every problem in the file (an empty list when it is valid)."""
    try:
        read_config_file(path)
    except ConfigFileError as exc:
        return exc.issues
    return []
