"""The shipped staff file: every setting present, commented with its default, range and source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, get_args, get_origin

import annotated_types
import pytest
from pydantic import BaseModel
from support.paths import ROOT

from kiosk.config.loader import (
    ConfigFileError,
    format_value,
    key_lines,
    packaged_default_path,
    read_config_file,
    validate_text,
)
from kiosk.config.schema import BackstepConfig, ProgramBlock

DEFAULT_TOML = packaged_default_path()
EXAMPLES = sorted((ROOT / "config" / "examples").glob("*.toml"))


def schema_leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every leaf setting of the schema as a key path; programs are walked separately."""
    leaves = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            leaves += schema_leaves(annotation, (*prefix, name))
        elif get_origin(annotation) is dict:
            continue
        else:
            leaves.append((*prefix, name))
    return leaves


def test_default_toml_validates_to_exactly_the_schema_defaults() -> None:
    assert read_config_file(DEFAULT_TOML, merge=False) == BackstepConfig()


def test_every_schema_field_appears_as_a_key_in_the_default_toml() -> None:
    lines = key_lines(DEFAULT_TOML.read_text(encoding="utf-8"))
    missing = [".".join(leaf) for leaf in schema_leaves(BackstepConfig) if leaf not in lines]
    assert not missing, f"add these to config/backstep.toml: {missing}"
    # Every section of the root model has its own table.
    assert all((section,) in lines for section in BackstepConfig.model_fields)


def test_every_program_block_key_is_set_or_documented_in_the_default_toml() -> None:
    text = DEFAULT_TOML.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    used = {key for blocks in data["programs"].values() for block in blocks for key in block}
    for name in ProgramBlock.model_fields:
        documented = re.search(rf"^#\s+{name} = ", text, re.MULTILINE)
        assert name in used or documented, f"programs block key {name!r} is not documented"


def _comment_block_above(lines: list[str], index: int) -> str:
    """The comment lines above a key, skipping the sibling keys it shares them with."""
    i = index - 1
    while i >= 0 and re.match(r"^[A-Za-z0-9_]+ = ", lines[i]):
        i -= 1
    block = []
    while i >= 0 and lines[i].startswith("#"):
        block.append(lines[i])
        i -= 1
    return "\n".join(reversed(block))


def _number(value: float) -> str:
    return f"{value:g}"


@pytest.mark.parametrize("leaf", schema_leaves(BackstepConfig), ids=".".join)
def test_every_setting_is_commented_with_its_default_and_range(leaf: tuple[str, ...]) -> None:
    text = DEFAULT_TOML.read_text(encoding="utf-8")
    lines = text.splitlines()
    index = key_lines(text)[leaf] - 1
    comment = _comment_block_above(lines, index)
    assert "default" in comment.lower(), f"{'.'.join(leaf)}: no 'Default ...' in {comment!r}"
    section, name = leaf
    info = type(getattr(BackstepConfig(), section)).model_fields[name]
    default = info.get_default(call_default_factory=True)
    shown = _number(default) if isinstance(default, int | float) else format_value(default)
    if not isinstance(default, bool):
        assert shown in comment, f"{section}.{name}: default {shown} not in {comment!r}"
    for meta in info.metadata:
        for bound in ("ge", "gt", "le", "lt"):
            if isinstance(meta, getattr(annotated_types, bound.capitalize())):
                value = _number(getattr(meta, bound))
                assert value in comment, f"{section}.{name}: bound {value} not in {comment!r}"


def test_threshold_comments_cite_a_source() -> None:
    text = DEFAULT_TOML.read_text(encoding="utf-8")
    lines = text.splitlines()
    sources = ("eng.", "Chung 2010", "Laufer 2005", "REBA", "LearnOpenCV", "backward-walking.md")
    for leaf, line in key_lines(text).items():
        if (
            len(leaf) == 2
            and leaf[0] in ("posture", "gait", "core", "safety")
            and leaf[1] != "incline_percent"
        ):
            comment = _comment_block_above(lines, line - 1)
            assert any(s in comment for s in sources), f"{'.'.join(leaf)} cites no source"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_files_are_valid_partial_configs(example: Path) -> None:
    config = read_config_file(example)
    assert config != BackstepConfig()


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 2


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation) if get_origin(annotation) is not None else ()


def test_there_is_no_setting_that_writes_camera_frames_to_disk() -> None:
    # "No camera frame is ever written to disk": no switch exists, and the old key is refused.
    assert "save_frames" not in BackstepConfig().storage.model_dump()
    with pytest.raises(ConfigFileError, match="save_frames"):
        validate_text("[storage]\nsave_frames = true\n", Path("backstep.toml"))


def test_cue_settings_do_not_duplicate_the_analyzer_thresholds() -> None:
    # Faults are decided once, by the analyzer: persistence, core and drift thresholds live there.
    config = BackstepConfig()
    assert set(config.cues.model_dump()).isdisjoint({"persist_s", "core_low_score", "drift_warn"})
    assert config.safety.drift_warn < config.safety.drift_back_limit
    for old in ("persist_s = 2.0", "core_low_score = 40.0", "drift_warn = 0.7"):
        with pytest.raises(ConfigFileError):
            validate_text(f"[cues]\n{old}\n", Path("backstep.toml"))
