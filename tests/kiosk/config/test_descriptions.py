"""One source for what a setting means: its schema description, found again in the staff file
comment above its key and printed above it by ``backstep config show``."""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from kiosk.cli import main
from kiosk.config.loader import key_lines, packaged_default_path, validate_text
from kiosk.config.schema import BackstepConfig, ProgramBlock

#: The modules whose pydantic models make up the staff configuration.
CONFIG_MODULES = (
    "kiosk.config.schema",
    "vision.settings",
    "vision.metrics.settings",
    "vision.metrics.core_score",
    "hw.settings",
)
STAFF_FILE = packaged_default_path()


def config_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in the configuration modules."""
    models = []
    for name in CONFIG_MODULES:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseModel) and obj.__module__ == name:
                models.append(obj)
    return models


def sections() -> list[tuple[str, type[BaseModel]]]:
    """Each table of the staff file with its model (programs aside)."""
    return [
        (name, info.annotation)
        for name, info in BackstepConfig.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    ]


def normalised(text: str) -> str:
    """Comment text as prose: no "#", one space between words, lower case."""
    return " ".join(text.replace("#", " ").split()).lower()


def comment_above(lines: list[str], index: int) -> str:
    """The comment lines above the key on ``lines[index]``, past sibling keys sharing them."""
    i = index - 1
    while i >= 0 and re.match(r"^[A-Za-z0-9_]+ = ", lines[i]):
        i -= 1
    block = []
    while i >= 0 and lines[i].startswith("#"):
        block.append(lines[i])
        i -= 1
    return "\n".join(reversed(block))


def leaves() -> list[tuple[str, str, str]]:
    """(section, key, description) for every setting of every section."""
    return [
        (section, name, info.description or "")
        for section, model in sections()
        for name, info in model.model_fields.items()
    ]


@pytest.mark.parametrize("model", config_models(), ids=lambda m: m.__name__)
def test_every_config_field_has_a_description(model: type[BaseModel]) -> None:
    missing = [name for name, info in model.model_fields.items() if not info.description]
    assert not missing, f"{model.__name__}: add Field(..., description=...) to {missing}"


@pytest.mark.parametrize(("section", "key", "description"), leaves(), ids=lambda v: str(v)[:40])
def test_the_staff_file_comment_for_each_key_holds_its_description(
    section: str, key: str, description: str
) -> None:
    text = STAFF_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    comment = comment_above(lines, key_lines(text)[(section, key)] - 1)
    assert normalised(description) in normalised(comment), (
        f"{section}.{key}: the comment above it in config/backstep.toml must contain its "
        f"schema description {description!r}; it reads {comment!r}"
    )


def test_the_program_block_keys_are_described_in_the_staff_files_programs_comment() -> None:
    text = STAFF_FILE.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("[[programs."))
    comment = normalised(comment_above(lines, first))
    for name, info in ProgramBlock.model_fields.items():
        assert info.description and normalised(info.description) in comment, name


def config_show() -> str:
    result = CliRunner().invoke(main, ["config", "show", "--config", str(STAFF_FILE)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_config_show_prints_each_key_under_its_description() -> None:
    text = config_show()
    lines = text.splitlines()
    where = key_lines(text)
    for section, key, description in leaves():
        comment = comment_above(lines, where[(section, key)] - 1)
        assert normalised(description) in normalised(comment), f"{section}.{key}: {comment!r}"


def test_config_show_is_toml_that_validates_back_to_the_same_config() -> None:
    text = config_show()
    tomllib.loads(text)
    assert validate_text(text, "shown.toml", merge=False) == BackstepConfig()
