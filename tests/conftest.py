"""Shared fixtures: the fixture clips, the real pose model (provisioned once), headless SDL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Headless everywhere: pygame must never look for a display or a sound card in tests.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def single_person_clip() -> Path:
    """One man on a platform seen from the front-left (360x640, 30 fps, 50 frames)."""
    return FIXTURES / "single_person_front.mp4"


@pytest.fixture(scope="session")
def two_people_clip() -> Path:
    """The platform person centre-right and a bystander standing on the left (50 frames)."""
    return FIXTURES / "two_people.mp4"


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The verified pose model, provisioned once per test session by `ensure_model`."""
    from vision.model import ensure_model
    from vision.settings import ModelConfig

    return ensure_model(ModelConfig())


@pytest.fixture
def sdl_dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force SDL's dummy video and audio drivers for one test."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
