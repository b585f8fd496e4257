"""A member's visit end to end: welcome, plan, session, summary QR code, the page on a phone.

The kiosk runs headless on the real backward-walker clip (QR check-in); the summary's QR
code is read off the drawn screen with OpenCV's detector; Chromium (Debian's, driven by
Playwright) opens the link from the dashboard, once.
"""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pygame
import pytest
from support.dashboard_data import add_session, summary
from support.kiosk_runs import SIDE_CLIP, clip_with_qr

from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.store.database import Member, Store

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "browser tests skipped: Debian's Chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests skipped: playwright is not installed"
)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One member visit on the kiosk, with what the screens showed along the way."""
    from hw.events import ButtonEvent
    from kiosk.app.loop import KioskApp, RunOptions

    root = tmp_path_factory.mktemp("visit")
    port = free_port()
    cfg = BackstepConfig()
    cfg.storage.data_dir = root / "data"
    cfg.display.fullscreen = False
    cfg.cues.sound = False
    cfg.dashboard.public_url = f"http://127.0.0.1:{port}"  # the test's "gym network"
    cfg.programs = {
        "starter": [
            ProgramBlock(kind="warmup", minutes=0.05, speed_mph=2.0),
            ProgramBlock(kind="backward", minutes=2.5, speed_mph=1.0),
        ]
    }
    with Store.open(cfg.storage) as store:
        store.upsert_members(
            [Member("M1001", "Ada Lovelace", dt.date.today() + dt.timedelta(days=90), 1)]
        )
        add_session(store, "M1001", time.time() - 3 * 86400, summary(2.0, 0.9, 60, 2.0), 60)
    seen: dict[str, Any] = {}

    def look(app: KioskApp) -> None:
        app.theme.recording = True  # the theme notes every text it draws from now on
        screen = app.controller.screen.value
        texts = [d.text for d in app.theme.drawn]
        if screen == "position" and any(t.startswith("Welcome, ") for t in texts):
            seen.setdefault("welcome", texts)
        if (
            screen in ("position", "baseline")
            and app.controller.seconds_on_screen(time.monotonic()) > 3.0
        ):  # the clip's man sways: START skips the wait, once the welcome was read
            app.post_button(ButtonEvent("start", "press"))
        if screen == "session":
            seen["session_px"] = pygame.surfarray.array3d(app.screen_surf).transpose(1, 0, 2)
        if screen == "summary":
            seen["summary_px"] = pygame.surfarray.array3d(app.screen_surf).transpose(1, 0, 2)
            summary = app.effects.summary
            seen["summary_url"] = summary.takeaway_url if summary else ""

    script = [(t / 2, look) for t in range(2, 58)]
    app = KioskApp(
        cfg,
        RunOptions(
            source=str(clip_with_qr("M1001", root / "qr.mp4", SIDE_CLIP)),
            headless=True,
            seconds=29.0,
            size=(800, 480),
            presses="1:start,22:stop",  # no press after the summary: it must stay
            script=script,
        ),
    )
    run = app.run()
    seen["run"] = run
    seen["config"] = cfg
    seen["port"] = port
    return seen


def test_the_visit_shows_welcome_session_and_a_summary_whose_code_is_the_link(visit) -> None:
    run = visit["run"]
    assert not run["errors"], run
    assert run["states_seen"][-1] == "summary"  # 7 s after STOP the summary is still there
    assert {"position", "session", "summary"} <= set(run["states_seen"])
    text, _pts, _ = cv2.QRCodeDetector().detectAndDecode(visit["summary_px"])
    assert text and text == visit["summary_url"]
    assert text.startswith(f"http://127.0.0.1:{visit['port']}/take/")
    # check-in -> position: the welcome with the member's name and today's plan
    welcome = " ".join(visit.get("welcome") or [])
    assert "Welcome, Ada" in welcome and "Today:" in welcome and "backward" in welcome


def wait_for_token(db: Path, token: str) -> tuple[int, float, float]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT session_id, created, expires FROM takeaway_tokens WHERE token = ?",
                (token,),
            ).fetchone()
        if row:
            return int(row[0]), float(row[1]), float(row[2])
        time.sleep(0.2)
    raise AssertionError("the take-away token was never saved")


@pytest.fixture(scope="module")
def server(visit) -> Iterator[str]:
    import uvicorn

    from dashboard.server import build_app

    config = uvicorn.Config(
        build_app(visit["config"]),
        host="127.0.0.1",
        port=visit["port"],
        log_level="warning",
        access_log=False,
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{visit['port']}"
    srv.should_exit = True
    thread.join(timeout=5)


def test_a_phone_opens_the_link_once_and_sees_that_session(visit, server) -> None:
    url = visit["summary_url"]
    token = url.rsplit("/", 1)[1]
    with Store.open(visit["config"].storage) as store:
        db = store.path
        mine = store.list_sessions("M1001", newest_first=True, limit=1)[0]
    session_id, created, expires = wait_for_token(db, token)
    assert session_id == mine.id
    assert expires - created == pytest.approx(15 * 60)  # dashboard.takeaway_minutes
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            first = page.goto(url)
            assert first is not None and first.status == 200
            assert page.locator("h1").inner_text() == "Your session"
            assert page.locator("table.takeaway tbody tr").count() == 7
            assert "Backward" in page.content()
            again = page.goto(url)
            assert again is not None and again.status == 404  # one time only
            assert "used or has expired" in page.content()
        finally:
            browser.close()
