"""Fleet tests: a real PostgreSQL (one server per run, one database per test), own data dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

# pg_server, fleet_db and two_stations come from support.pg_fixtures (via tests/conftest.py)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """These tests give each station its own ``storage.data_dir``: the config decides."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.config_data_dir)
