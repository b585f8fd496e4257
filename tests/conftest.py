"""Shared fixtures: the clips and their frames, the real pose model, mock GPIO, headless SDL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.paths import FIXTURES

# the real-PostgreSQL fixtures of the fleet and dashboard tests
from support.pg_fixtures import fleet_db, pg_server, two_stations  # noqa: F401

if TYPE_CHECKING:
    from gpiozero.pins.mock import MockFactory

    from vision.types import Frame

# Headless everywhere: pygame must never look for a display or a sound card in tests.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(autouse=True)
def data_dir(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Path:
    """Every test's own data folder via BACKSTEP_DATA_DIR: no test writes the user's real one.

    A module that tests ``storage.data_dir`` itself opts out with
    ``pytestmark = pytest.mark.config_data_dir`` (its configs then decide, in tmp folders).
    """
    path = tmp_path_factory.mktemp("backstep-data")
    # a suite run from a systemd unit (CI) must not turn on the station's kiosk mode
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    if request.node.get_closest_marker("config_data_dir") is None:
        monkeypatch.setenv("BACKSTEP_DATA_DIR", str(path))
    else:
        monkeypatch.delenv("BACKSTEP_DATA_DIR", raising=False)
    return path


@pytest.fixture(autouse=True)
def no_session_writer_outlives_its_test() -> Iterator[None]:
    """Stop the session writers a test left running: the process-wide count of held rows
    (the NOT SAVING mark) must start at zero in the next test, as in a fresh kiosk."""
    yield
    from kiosk.store.writer import LEDGER

    for writer in LEDGER.writers():
        writer.stop(timeout=0.5)


def pytest_configure(config: pytest.Config) -> None:
    """The markers this suite defines."""
    config.addinivalue_line(
        "markers", "config_data_dir: storage.data_dir decides (no BACKSTEP_DATA_DIR)"
    )
    config.addinivalue_line(
        "markers", "long: runs for most of a minute or more; scheduled first (see below)"
    )


@pytest.fixture(scope="session")
def single_person_clip() -> Path:
    """One man on a platform seen from the front-left (360x640, 30 fps, 50 frames)."""
    return FIXTURES / "single_person_front.mp4"


@pytest.fixture(scope="session")
def two_people_clip() -> Path:
    """The platform person centre-right and a bystander standing on the left (50 frames)."""
    return FIXTURES / "two_people.mp4"


def clip_frames(path: Path) -> list[Frame]:
    """Every frame of a clip, decoded as fast as possible (media times, not wall-clock)."""
    from vision.sources.video import VideoFileSource

    with VideoFileSource(path, realtime=False) as source:
        frames = []
        while (frame := source.read()) is not None:
            frames.append(frame)
    return frames


@pytest.fixture
def single_person_frames(single_person_clip: Path) -> list[Frame]:
    """The 50 frames of the single-person clip, fresh for each test."""
    return clip_frames(single_person_clip)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The verified pose model, provisioned once per test session by `ensure_model`."""
    from vision.pose.model import ensure_model
    from vision.settings import ModelConfig

    return ensure_model(ModelConfig())


@pytest.fixture
def sdl_dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force SDL's dummy video and audio drivers for one test."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """A fresh gpiozero MockFactory per test, the previous one restored after.

    As gpiozero's own conftest does: devices created without ``pin_factory`` use it, and
    ``mock_factory.pin(n).drive_low()`` presses a button wired to pin n.
    """
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    saved = Device.pin_factory
    Device.pin_factory = factory = MockFactory()
    try:
        yield factory
    finally:
        factory.reset()
        Device.pin_factory = saved


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that load the real pose model are slow too (`make test-fast` skips them), but
    for the one marked ``smoke``: real footage through the real model stays in the quick loop."""
    for item in items:
        if "model_path" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "smoke"
        ):
            item.add_marker(pytest.mark.slow)
    # The longest tests go first: with two workers (`pytest -n 2`) a three-minute test
    # collected last would run alone at the end while the other worker idles.
    for item in items:
        if item.get_closest_marker("long"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def _private_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Config safe mode keeps the last valid config in a state dir: never the developer's."""
    monkeypatch.setenv("BACKSTEP_STATE_DIR", str(tmp_path_factory.mktemp("state")))
