"""Dashboard test fixtures: a seeded station database, a trainer account, a logged-in client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.dashboard_data import seed_small
from support.dashboard_web import add_trainer, log_in, station_config

from dashboard.server import build_app


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A data dir with the small seeded station database and one trainer."""
    data_dir = tmp_path / "data"
    ids = seed_small(data_dir)
    add_trainer(data_dir)
    return data_dir, ids


@pytest.fixture
def client(seeded: tuple[Path, dict[str, int]]) -> Iterator[TestClient]:
    """An anonymous client of the dashboard over the seeded database."""
    with TestClient(build_app(station_config(seeded[0]))) as c:
        yield c


@pytest.fixture
def trainer(client: TestClient) -> TestClient:
    """The client, logged in as the trainer."""
    assert log_in(client).status_code == 200
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """These tests give each station its own ``storage.data_dir``: the config decides."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.config_data_dir)
