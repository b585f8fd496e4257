"""The dashboard in a real browser (Debian's Chromium, headless, driven by Playwright).

The member's session comes from a real kiosk run: headless, on the fixture clip, checked in
by QR, stopped with the stop button; earlier sessions are inserted rows so trends have points.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.dashboard_data import add_session, seed_small, summary
from support.dashboard_web import PASSWORD, TRAINER, add_trainer

from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.store.database import Member, Store
from kiosk.store.export import SAMPLE_COLUMNS

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/backstep-dashboard-shots")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

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


def kiosk_config(data_dir: Path) -> BackstepConfig:
    cfg = BackstepConfig()
    cfg.storage.data_dir = data_dir
    cfg.display.fullscreen = False
    cfg.cues.sound = False
    cfg.programs = {
        "starter": [
            ProgramBlock(kind="warmup", minutes=0.05, speed_mph=2.0),
            ProgramBlock(kind="backward", minutes=2.5, speed_mph=1.0),
        ]
    }
    return cfg


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> tuple[BackstepConfig, int]:
    """A station database with one real kiosk session of member M1001 (and seeded others)."""
    from support.kiosk_runs import run_member_session

    root = tmp_path_factory.mktemp("station")
    cfg = kiosk_config(root / "data")
    seed_small(cfg.storage.data_dir)
    with Store.open(cfg.storage) as store:
        store.upsert_members(
            [Member("M1001", "Ada Lovelace", dt.date.today() + dt.timedelta(days=90), 1)]
        )
        for days in (9, 6, 3):  # earlier sessions, so the trend charts have a line
            add_session(store, "M1001", time.time() - days * 86400, summary(2.0, 0.7, 30, 2.0), 60)
    run = run_member_session(cfg, "M1001", root)
    assert "session" in run["states_seen"] and not run["errors"], run
    with Store.open(cfg.storage) as store:
        real = store.list_sessions("M1001", newest_first=True, limit=1)[0]
    assert real.status == "stopped" and real.summary
    add_trainer(cfg.storage.data_dir)
    return cfg, real.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(station: tuple[BackstepConfig, int]) -> Iterator[str]:
    """The dashboard served by uvicorn on a free local port, in a thread."""
    import uvicorn

    from dashboard.server import build_app

    port = free_port()
    config = uvicorn.Config(
        build_app(station[0]), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the dashboard did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


COLOUR_PIXELS = """(args) => {
  const [selector, hex] = args;
  const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  const canvas = document.querySelector(selector);
  if (!canvas) return -1;
  const {width, height} = canvas;
  const px = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 200 && Math.abs(px[i] - want[0]) < 40 && Math.abs(px[i + 1] - want[1]) < 40
        && Math.abs(px[i + 2] - want[2]) < 40) n++;
  }
  return n;
}"""


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_trainer_logs_in_sees_charts_and_downloads_a_sessions_csv(
    server: str, station: tuple[BackstepConfig, int], browser, tmp_path: Path, viewport
) -> None:
    _, session_id = station
    tag = "desktop" if viewport[0] > 600 else "phone"
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(server + "/members")
        assert page.url.startswith(server + "/login")
        page.fill("input[name=username]", TRAINER)
        page.fill("input[name=password]", PASSWORD)
        shot(page, f"{tag}-1-login.png")
        page.click("button[type=submit]")
        page.wait_for_url(server + "/members")
        assert page.locator("text=Unsafe Una").count() == 1
        shot(page, f"{tag}-2-members.png")

        page.click("text=Ada Lovelace")
        page.wait_for_selector("body[data-charts-ready='6']")
        assert page.locator(".chart canvas").count() == 6
        # the backward-minutes line is drawn in Okabe-Ito blue, on the first chart's canvas
        assert page.evaluate(COLOUR_PIXELS, ["[data-chart=minutes] canvas", "#0072B2"]) > 50
        assert page.evaluate(COLOUR_PIXELS, ["[data-chart=upright] canvas", "#009E73"]) > 50
        shot(page, f"{tag}-3-member.png")

        page.click(f"a[href='/sessions/{session_id}']")
        page.wait_for_selector("body[data-charts-ready='3']")
        assert page.evaluate(COLOUR_PIXELS, ["[data-chart=lean] canvas", "#0072B2"]) > 50
        assert page.evaluate(COLOUR_PIXELS, ["[data-chart=cadence] canvas", "#E69F00"]) > 50
        shot(page, f"{tag}-4-session.png")

        with page.expect_download() as info:
            page.click("text=Export samples (CSV)")
        target = tmp_path / "samples.csv"
        info.value.save_as(target)
        rows = list(csv.reader(io.StringIO(target.read_text())))
        assert tuple(rows[0]) == SAMPLE_COLUMNS
        assert len(rows) > 5 and {r[0] for r in rows[1:]} == {str(session_id)}
        assert not errors, errors
    finally:
        context.close()
