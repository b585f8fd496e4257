"""Trainer accounts: argon2id hashes, the `backstep trainers` commands, the config defaults."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.accounts import Accounts
from dashboard.security import LoginThrottle
from dashboard.server import is_every_interface
from kiosk.config.schema import BackstepConfig


def test_passwords_are_stored_as_argon2id_hashes_only(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "dashboard.sqlite3")
    accounts.add("coach", "correct horse battery")
    assert accounts.verify("coach", "correct horse battery") is not None
    assert accounts.verify("coach", "correct horse batter") is None
    assert accounts.verify("nobody", "correct horse battery") is None
    accounts.close()
    raw = (
        sqlite3.connect(tmp_path / "dashboard.sqlite3").execute("SELECT * FROM trainers").fetchall()
    )
    assert "correct horse battery" not in repr(raw)
    assert raw[0][1].startswith("$argon2id$")


@pytest.mark.parametrize(
    ("name", "password"), [("coach", "short"), ("bad name", "long enough pass"), ("", "x" * 12)]
)
def test_bad_names_and_weak_passwords_are_refused(tmp_path: Path, name: str, password: str) -> None:
    with pytest.raises(ValueError):
        Accounts(tmp_path / "a.sqlite3").add(name, password)


def cli(tmp_path: Path, *args: str, stdin: str | None = None):
    toml = tmp_path / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    from kiosk.cli import main

    return CliRunner().invoke(main, ["trainers", *args, "--config", str(toml)], input=stdin)


def test_staff_add_list_and_remove_trainers_from_the_command_line(tmp_path: Path) -> None:
    out = cli(tmp_path, "add", "coach", "--password-stdin", stdin="correct horse battery\n")
    assert out.exit_code == 0, out.output
    again = cli(tmp_path, "add", "coach", "--password-stdin", stdin="correct horse battery\n")
    assert again.exit_code != 0 and "exists already" in again.output
    weak = cli(tmp_path, "add", "other", "--password-stdin", stdin="short\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    listed = cli(tmp_path, "list")
    assert listed.exit_code == 0 and listed.output.startswith("coach\ttrainer\t")
    accounts = Accounts(tmp_path / "data" / "dashboard.sqlite3")
    assert accounts.verify("coach", "correct horse battery") is not None
    accounts.close()
    assert cli(tmp_path, "remove", "coach").exit_code == 0
    assert cli(tmp_path, "remove", "coach").exit_code != 0
    assert cli(tmp_path, "list").output == ""


def test_there_is_no_password_option_on_the_command_line(tmp_path: Path) -> None:
    out = cli(tmp_path, "add", "coach", "--password", "correct horse battery")
    assert out.exit_code != 0 and "No such option" in out.output


def test_the_dashboard_listens_on_this_machine_only_by_default() -> None:
    cfg = BackstepConfig()
    assert cfg.dashboard.host == "127.0.0.1"
    assert not is_every_interface(cfg.dashboard.host)
    assert is_every_interface("0.0.0.0") and is_every_interface("::")


def test_the_throttle_delay_grows_per_failure_and_is_forgotten_after_the_lockout() -> None:
    now = [0.0]
    throttle = LoginThrottle(3, 60.0, clock=lambda: now[0], base_s=2.0)
    for _ in range(2):
        throttle.failed("user:a")
    assert throttle.wait_s("user:a") == 0.0  # below the limit: no wait
    waits = []
    for _ in range(6):
        throttle.failed("user:a")
        waits.append(throttle.wait_s("user:a"))
    assert waits == pytest.approx([2.0, 4.0, 8.0, 16.0, 32.0, 60.0])  # capped at the lockout
    assert throttle.wait_s("user:b") == 0.0
    now[0] = 61.0
    assert throttle.wait_s("user:a") == 0.0


def test_the_throttle_keeps_a_bounded_table() -> None:
    throttle = LoginThrottle(3, 60.0, max_keys=100)
    for i in range(5000):
        throttle.failed(f"user:{i}|ip:1.2.3.4", "ip:1.2.3.4")
    assert len(throttle) == 100
    assert throttle.wait_s("ip:1.2.3.4") > 0  # the busiest key is the most recent: kept


def test_the_dashboard_command_explains_a_missing_station_database(tmp_path: Path) -> None:
    toml = tmp_path / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{tmp_path / "empty"}"\n')
    from kiosk.cli import main

    out = CliRunner().invoke(main, ["dashboard", "--config", str(toml), "--port", "18099"])
    assert out.exit_code != 0
    assert "no station database" in out.output and "start the kiosk once" in out.output
    assert not (tmp_path / "empty" / "backstep.sqlite3").exists()  # nothing was created


def test_the_dashboard_command_is_listed_with_its_options() -> None:
    from kiosk.cli import main

    out = CliRunner().invoke(main, ["dashboard", "--help"])
    assert out.exit_code == 0 and "--host" in out.output and "--port" in out.output
    assert "trainers" in CliRunner().invoke(main, ["--help"]).output
