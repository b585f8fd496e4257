"""The member's take-away page: that one session, once, before the token expires (issue 22)."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.testclient import TestClient
from support.dashboard_data import add_session, summary
from support.dashboard_web import station_config

from dashboard.server import build_app
from kiosk.store.database import Store
from kiosk.store.takeaway import save_token

DB = "backstep.sqlite3"


def db_path(data_dir: Path) -> Path:
    with Store.open(station_config(data_dir).storage) as store:
        return store.path


def test_a_token_opens_its_session_once_and_nothing_else(seeded, client: TestClient) -> None:
    data_dir, ids = seeded
    path = db_path(data_dir)
    now = time.time()
    mine, other = ids["steady_last"], ids["unsafe_last"]
    save_token(path, "tok-mine-0123456789", mine, now, 900)
    page = client.get("/take/tok-mine-0123456789")
    assert page.status_code == 200
    assert "Your session" in page.text and "Steps" in page.text and "Safety stops" in page.text
    # that session's numbers (Sam's last: 6 backward minutes), not the other member's
    assert "6:00" in page.text
    assert "Unsafe" not in page.text and "Una" not in page.text
    assert "/sessions/" not in page.text and "/members" not in page.text  # no way further in
    # used once: the same link is gone, and no login cookie was handed out
    assert client.get("/take/tok-mine-0123456789").status_code == 404
    assert "backstep_dashboard" not in page.headers.get("set-cookie", "")
    # a wrong token, and a token for the other session that has expired
    assert client.get("/take/not-a-token").status_code == 404
    save_token(path, "tok-old-0123456789", other, now - 1000, 900)
    assert client.get("/take/tok-old-0123456789").status_code == 404
    # the trainers' pages still want a login
    assert client.get(f"/sessions/{other}", follow_redirects=False).status_code == 303


def test_a_session_still_being_written_keeps_its_token(seeded, client: TestClient) -> None:
    data_dir, _ids = seeded
    with Store.open(station_config(data_dir).storage) as store:
        sid = store.start_session("S1", "starter", time.time(), "station-1")
        path = store.path
    save_token(path, "tok-early-0123456789", sid, time.time(), 900)
    assert client.get("/take/tok-early-0123456789").status_code == 404
    with Store.open(station_config(data_dir).storage) as store:
        store.finish_session(sid, "completed", time.time(), summary(2.0, 0.8, 70, 3.0))
    assert client.get("/take/tok-early-0123456789").status_code == 200


def test_the_page_compares_with_the_members_last_session_and_best(seeded) -> None:
    data_dir, _ids = seeded
    with Store.open(station_config(data_dir).storage) as store:
        now = time.time()
        add_session(store, "N4", now - 3 * 86400, summary(2.0, 0.6, 60, 3.0))
        sid = add_session(store, "N4", now - 60, summary(3.0, 0.8, 70, 3.0, safety=1))
        path = store.path
    save_token(path, "tok-cmp-0123456789", sid, now, 900)
    with TestClient(build_app(station_config(data_dir))) as c:
        text = c.get("/take/tok-cmp-0123456789").text
    backward = text[text.index("Backward") :].split("</tr>")[0]
    assert "3:00" in backward and "better" in backward and "2:00" in backward
    stops = text[text.index("Safety stops") :].split("</tr>")[0]
    assert "1" in stops and "▼" in stops  # one more safety stop than last time: worse
