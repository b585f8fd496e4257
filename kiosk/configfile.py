"""Find, read and validate the staff configuration file, reporting errors by key and line."""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import platformdirs
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from kiosk.errors import ConfigError
from kiosk.settings import BackstepConfig

logger = logging.getLogger(__name__)

#: Environment variable naming the config file (the systemd unit sets it).
CONFIG_ENV = "BACKSTEP_CONFIG"
#: Where `install.sh` puts the staff-edited file on a Pi.
SYSTEM_CONFIG_PATH = Path("/etc/backstep/backstep.toml")

Loc = tuple[str | int, ...]
ConfigSource = Literal["--config", "BACKSTEP_CONFIG", "system", "user", "default"]


def packaged_default_path() -> Path:
    """The documented default ``backstep.toml`` (installed wheel or source checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "data" / "backstep.toml"
    if installed.exists():
        return installed
    return here.parent / "config" / "backstep.toml"


def user_config_path() -> Path:
    """The per-user config file (``~/.config/backstep/backstep.toml`` on Linux)."""
    return Path(platformdirs.user_config_dir("backstep")) / "backstep.toml"


# --------------------------------------------------------------------------- errors


_MISSING: Any = object()


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file: the dotted key, its value, where it is and what is allowed."""

    message: str
    key: str = ""
    value: Any = _MISSING
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
        if self.key and self.value is not _MISSING:
            what += f" = {format_value(self.value)}"
        text = f"{where}: {what}: {self.message}" if what else f"{where}: {self.message}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


class ConfigFileError(ConfigError):
    """An unusable config file: ``issues`` lists every problem, ``path`` names the file."""

    def __init__(self, path: Path | str, issues: list[ConfigIssue]) -> None:
        self.path = Path(path)
        self.issues = list(issues)
        super().__init__("\n".join(issue.format(self.path) for issue in self.issues))


def format_value(value: Any, limit: int = 60) -> str:
    """A short TOML-like rendering of a value for an error line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | Path):
        text = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k} = {format_value(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(format_value(v, limit) for v in value) + "]"
    elif value is None:
        text = '""'
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- key -> line

# tomllib reports no positions for keys, so errors are placed by scanning the text for table
# headers and `key =` lines. Only what staff write is handled: [tables], [[arrays of tables]],
# dotted and quoted keys; values spanning lines (arrays, multi-line strings) are skipped over.
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_ARRAY_TABLE_RE = re.compile(rf"^\s*\[\[\s*({_KEY})\s*\]\]")
_TABLE_RE = re.compile(rf"^\s*\[\s*({_KEY})\s*\]")
_KEYVAL_RE = re.compile(rf"^\s*({_KEY})\s*=")
_PART_RE = re.compile(rf"{_BARE}|{_QUOTED}")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(
        part[1:-1] if part[0] in "\"'" else part
        for part in (m.group(0) for m in _PART_RE.finditer(key))
    )


@dataclass
class _ValueScanner:
    """Tracks open brackets and multi-line strings so continuation lines are not read as keys."""

    depth: int = 0
    ml_quote: str | None = None

    @property
    def is_open(self) -> bool:
        return self.depth > 0 or self.ml_quote is not None

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            if self.ml_quote is not None:
                end = text.find(self.ml_quote, i)
                if end < 0:
                    return
                self.ml_quote, i = None, end + 3
                continue
            ch = text[i]
            if ch == "#":
                return
            if text.startswith(('"""', "'''"), i):
                self.ml_quote, i = text[i : i + 3], i + 3
            elif ch in "\"'":
                i = _string_end(text, i)
            else:
                self.depth += ch in "[{"
                self.depth -= ch in "]}"
                i += 1


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def key_lines(text: str) -> dict[Loc, int]:
    """Map every key path the TOML text sets (array-of-tables entries by index) to its line."""
    lines: dict[Loc, int] = {}
    table: Loc = ()
    counts: dict[Loc, int] = {}
    scanner = _ValueScanner()
    for number, line in enumerate(text.splitlines(), start=1):
        if scanner.is_open:
            scanner.feed(line)
            continue
        if m := _ARRAY_TABLE_RE.match(line):
            path: Loc = _split_key(m.group(1))
            index = counts.get(path, 0)
            counts[path] = index + 1
            table = path = (*path, index)
        elif m := _TABLE_RE.match(line):
            table = path = _split_key(m.group(1))
        elif m := _KEYVAL_RE.match(line):
            scanner.feed(line[m.end() :])
            path = (*table, *_split_key(m.group(1)))
        else:
            continue
        for i in range(1, len(path) + 1):
            lines.setdefault(path[:i], number)
        lines[path] = number
    return lines


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, else of its nearest enclosing key or table that the text sets."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


# --------------------------------------------------------------------------- schema helpers


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_optional(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _resolve(loc: Loc) -> tuple[Any, FieldInfo | None, type[BaseModel] | None]:
    """(annotation, field, owning model) at ``loc`` in the schema; annotation None if unknown."""
    annotation: Any = BackstepConfig
    info: FieldInfo | None = None
    owner: type[BaseModel] | None = None
    for part in loc:
        model = _as_model(annotation)
        origin = get_origin(annotation)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            owner, info = model, model.model_fields[part]
            annotation = info.annotation
        elif origin is dict and isinstance(part, str):
            annotation, info, owner = get_args(annotation)[1], None, None
        elif origin is list and isinstance(part, int):
            annotation, info, owner = get_args(annotation)[0], None, None
        else:
            return None, None, None
    return annotation, info, owner


def _type_words(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(format_value(a) for a in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return " or ".join(_type_words(a) for a in args)
    if _as_model(annotation) is not None:
        return "a table"
    if get_origin(annotation) is dict:
        return "a table of named programs, each an array of [[programs.NAME]] blocks"
    if get_origin(annotation) is list:
        return (
            "an array of "
            + _type_words(get_args(annotation)[0]).removeprefix("a ").removeprefix("an ")
            + "s"
        )
    words = {bool: "true or false", int: "an integer", float: "a number", str: "text"}
    if annotation is Path:
        return "a file path"
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _unit(annotation: Any) -> str:
    return "items" if get_origin(annotation) is list else "characters"


def describe_allowed(loc: Loc) -> str:
    """What the schema allows at ``loc``, in staff words ("an integer from 0 to 27, or "off"")."""
    annotation, info, owner = _resolve(loc)
    if annotation is None:
        return ""
    text = _type_words(annotation)
    if info is None:
        return text
    bounds: list[str] = []
    low = high = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            low = f"from {meta.ge}"
        elif isinstance(meta, annotated_types.Gt):
            low = f"greater than {meta.gt}"
        elif isinstance(meta, annotated_types.Le):
            high = f"to {meta.le}" if low and low.startswith("from") else f"at most {meta.le}"
        elif isinstance(meta, annotated_types.Lt):
            high = f"less than {meta.lt}"
        elif isinstance(meta, annotated_types.MinLen):
            bounds.append(f"at least {meta.min_length} {_unit(annotation)}")
        elif isinstance(meta, annotated_types.MaxLen):
            bounds.append(f"at most {meta.max_length} {_unit(annotation)}")
        elif getattr(meta, "pattern", None):
            bounds.append(f"matching {meta.pattern}")
    if high and low and high.startswith("to"):
        bounds.insert(0, f"{low} {high}")
    else:
        bounds[:0] = [b for b in (low, high) if b]
    if bounds:
        text += " " + ", ".join(bounds)
    if _is_optional(annotation):
        owner_name = owner.__name__ if owner is not None else ""
        text += _UNSET_WORDS.get(owner_name, ', or "" (not set)')
    return text


#: How staff leave an optional value unset, per section model (TOML has no null).
_UNSET_WORDS = {"GpioConfig": ', or "off"', "ProgramBlock": ", or leave it out"}


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        in_table = isinstance(data, Mapping) and isinstance(part, str) and part in data
        in_array = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_table or in_array):
            return _MISSING
        data = data[part]
    return data


def dotted(loc: Loc) -> str:
    """``("programs", "starter", 0, "minutes")`` -> ``programs.starter[1].minutes`` (1-based)."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# --------------------------------------------------------------------------- validation


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
            while len(loc) > 1 and _value_at(data, loc) is _MISSING:
                loc = loc[:-1]
        key = dotted(loc)
        message = error["msg"].removeprefix("Value error, ")
        allowed = describe_allowed(loc)
        if error["type"] == "extra_forbidden":
            parent = _as_model(_resolve(loc[:-1])[0])
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
        value = _value_at(data, loc) if error["type"] != "missing" else _MISSING
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
    annotation, info, _ = _resolve(loc)
    if not isinstance(data, bool) or info is None or "true or false" in _type_words(annotation):
        return []
    if _as_model(annotation) is not None:
        return []
    allowed = describe_allowed(loc)
    if allowed.endswith('or "off"'):  # gpio pins: false means off, true is refused by the model
        return []
    message = f"{'true' if data else 'false'} is not a number here"
    return [ConfigIssue(message, dotted(loc), data, line_of(lines, loc), allowed=allowed)]


def read_config_file(path: Path | str, *, merge: bool = True) -> BackstepConfig:
    """Read and validate one file (see `validate_text`); an unreadable file is a ConfigFileError."""
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(path, [ConfigIssue("not UTF-8 text", line=line)]) from None
    except OSError as exc:
        raise ConfigFileError(path, [ConfigIssue(f"cannot read: {exc.strerror or exc}")]) from None
    return validate_text(text, path, merge=merge)


def check_config_file(path: Path | str) -> list[ConfigIssue]:
    """Every problem in the file (an empty list when it is valid)."""
    try:
        read_config_file(path)
    except ConfigFileError as exc:
        return exc.issues
    return []


# --------------------------------------------------------------------------- lookup


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


# --------------------------------------------------------------------------- output


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
