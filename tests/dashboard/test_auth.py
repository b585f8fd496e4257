"""Login, logout, CSRF, lockout, cookies and headers of the dashboard, over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.dashboard_web import PASSWORD, TRAINER, csrf_of, log_in, station_config

from dashboard.accounts import Accounts
from dashboard.server import build_app


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient) -> None:
    for path in (
        "/members",
        "/members/S1",
        "/sessions/1",
        "/sessions.csv",
        "/sessions/1/samples.csv",
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert 'name="csrf"' in page.text


def test_login_lands_on_the_members_and_sets_a_safe_cookie(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": TRAINER, "password": PASSWORD, "csrf": token, "next": "/members/S1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/members/S1"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert PASSWORD not in r.headers["set-cookie"]
    page = client.get("/members")
    assert page.status_code == 200 and "Steady Sam" in page.text
    assert f"Log out {TRAINER}" in page.text


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example"])
def test_login_never_redirects_off_the_site(client: TestClient, target: str) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": TRAINER, "password": PASSWORD, "csrf": token, "next": target},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/members"


def test_a_wrong_password_is_refused(client: TestClient) -> None:
    r = log_in(client, password="not the password")
    assert r.status_code == 401 and "Wrong name or password" in r.text
    assert client.get("/members", follow_redirects=False).status_code == 303


def test_a_login_without_the_csrf_field_or_with_a_forged_one_is_rejected(
    client: TestClient,
) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": TRAINER, "password": PASSWORD})
    assert r.status_code == 403
    r = client.post("/login", data={"username": TRAINER, "password": PASSWORD, "csrf": "forged"})
    assert r.status_code == 403
    assert client.get("/members", follow_redirects=False).status_code == 303


def test_a_fresh_browser_cannot_reuse_another_browsers_token(seeded) -> None:
    app = build_app(station_config(seeded[0]))
    with TestClient(app) as a, TestClient(app) as b:
        token = csrf_of(a.get("/login").text)
        b.get("/login")
        r = b.post("/login", data={"username": TRAINER, "password": PASSWORD, "csrf": token})
        assert r.status_code == 403


def test_too_many_failures_lock_the_name_even_for_the_right_password(client: TestClient) -> None:
    for _ in range(5):
        assert log_in(client, password="guess").status_code == 401
    r = log_in(client)
    assert r.status_code == 429 and "Too many failed logins" in r.text
    assert client.get("/members", follow_redirects=False).status_code == 303


def test_lockout_also_holds_for_other_names_from_the_same_address(seeded) -> None:
    data_dir = seeded[0]
    accounts = Accounts(data_dir / "dashboard.sqlite3")
    accounts.add("second", "another long password")
    accounts.close()
    with TestClient(build_app(station_config(data_dir))) as c:
        for i in range(5):
            assert log_in(c, name=f"nobody{i}", password="guess").status_code == 401
        assert log_in(c, name="second", password="another long password").status_code == 429


def test_logout_needs_the_csrf_field_and_ends_the_login(trainer: TestClient) -> None:
    assert trainer.post("/logout", data={}).status_code == 403
    assert trainer.get("/members").status_code == 200  # still logged in
    token = csrf_of(trainer.get("/members").text)
    r = trainer.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert trainer.get("/members", follow_redirects=False).status_code == 303


def test_a_removed_trainers_cookie_stops_working(trainer: TestClient, seeded) -> None:
    accounts = Accounts(Path(seeded[0]) / "dashboard.sqlite3")
    assert accounts.remove(TRAINER)
    accounts.close()
    assert trainer.get("/members", follow_redirects=False).status_code == 303


def test_trainers_only_read_nothing_accepts_a_write(trainer: TestClient) -> None:
    token = csrf_of(trainer.get("/members").text)
    for path in ("/members", "/members/S1", "/sessions/1", "/sessions.csv"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = trainer.request(method, path, data={"csrf": token})
            assert r.status_code == 405, (method, path)


def test_every_page_carries_security_headers_and_is_not_cached(trainer: TestClient) -> None:
    r = trainer.get("/members")
    csp = r.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text  # no inline script anywhere
