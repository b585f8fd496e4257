"""CLI edges an admin meets: a mistyped --config for run, an unknown member for export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.store.database import Store
from kiosk.store.records import Member

pytestmark = pytest.mark.config_data_dir


def test_run_with_a_missing_config_file_is_an_error_not_safe_mode(tmp_path: Path) -> None:
    missing = tmp_path / "backstep.tmol"
    result = CliRunner().invoke(
        main, ["run", "--headless", "--seconds", "0.1", "--config", str(missing)]
    )
    assert result.exit_code != 0
    assert f"{missing}: no such file" in result.output
    assert "--config" in result.output


def test_export_of_an_unknown_member_says_so(tmp_path: Path) -> None:
    with Store(tmp_path / "data" / "backstep.sqlite3") as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    out = tmp_path / "out.csv"
    args = ["export", "--format", "csv", "--out", str(out), "--config", str(cfg)]
    result = CliRunner().invoke(main, [*args, "--member", "NOPE"])
    assert result.exit_code == 1
    assert "no such member: NOPE" in result.output
    assert not out.exists()
    known = CliRunner().invoke(main, [*args, "--member", "1"])
    assert known.exit_code == 0, known.output
