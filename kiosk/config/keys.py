"""What the schema allows at a key, in words for error messages; dotted keys and lookups."""

from __future__ import annotations

import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kiosk.config.problems import MISSING, Loc, format_value
from kiosk.config.schema import BackstepConfig


def as_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model class an annotation names, or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_optional(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def resolve_field(loc: Loc) -> tuple[Any, FieldInfo | None, type[BaseModel] | None]:
    """(annotation, field, owning model) at ``loc`` in the schema; annotation None if unknown."""
    annotation: Any = BackstepConfig
    info: FieldInfo | None = None
    owner: type[BaseModel] | None = None
    for part in loc:
        model = as_model(annotation)
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


def type_words(annotation: Any) -> str:
    """An annotation in words for staff ("a number", "one of ...")."""
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(format_value(a) for a in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return " or ".join(type_words(a) for a in args)
    if as_model(annotation) is not None:
        return "a table"
    if get_origin(annotation) is dict:
        return "a table of named programs, each an array of [[programs.NAME]] blocks"
    if get_origin(annotation) is list:
        return (
            "an array of "
            + type_words(get_args(annotation)[0]).removeprefix("a ").removeprefix("an ")
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
    annotation, info, owner = resolve_field(loc)
    if annotation is None:
        return ""
    text = type_words(annotation)
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


def value_at(data: Any, loc: Loc) -> Any:
    """The value at ``loc`` in parsed config data, or :data:`MISSING`."""
    for part in loc:
        in_table = isinstance(data, Mapping) and isinstance(part, str) and part in data
        in_array = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_table or in_array):
            return MISSING
        data = data[part]
    return data


def dotted(loc: Loc) -> str:
    """``("programs", "starter", 0, "minutes")`` -> ``programs.starter[1].minutes`` (1-based)."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
