"""requirements/*.lock pin every dependency of pyproject.toml at a version it allows.

Offline and quick; `make lock-check` (CI) re-resolves against PyPI and also fails on drift.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support.paths import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(lock: Path) -> dict[str, list[str]]:
    """name -> pinned versions (a universal lock may pin two, split by Python version)."""
    found: dict[str, list[str]] = {}
    for line in lock.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            found.setdefault(canonicalize_name(m[1]), []).append(m[2])
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("runtime.lock", PYPROJECT["project"]["dependencies"]),
        (
            "dev.lock",
            PYPROJECT["project"]["dependencies"]
            + PYPROJECT["project"]["optional-dependencies"]["dev"],
        ),
    ],
)
def test_the_lock_pins_every_dependency_within_its_range(
    lock: str, requirements: list[str]
) -> None:
    pinned = pins(ROOT / "requirements" / lock)
    problems = []
    for text in requirements:
        req = Requirement(text)
        versions = pinned.get(canonicalize_name(req.name))
        if not versions:
            problems.append(f"{req.name} is not in {lock}")
        elif not all(req.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{req.name} {versions} outside {req.specifier}")
    assert not problems, f"run `make lock`: {problems}"


def test_opencv_python_never_sneaks_in_beside_contrib() -> None:
    # Both ship cv2; mediapipe brings opencv-contrib-python.
    assert "opencv-python" not in pins(ROOT / "requirements" / "runtime.lock")
