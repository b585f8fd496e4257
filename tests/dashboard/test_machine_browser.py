"""The session page's belt speed and heart-rate charts drawn in a real browser (Chromium)."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.dashboard_data import seed_small
from support.dashboard_web import PASSWORD, TRAINER, add_trainer, station_config

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/backstep-dashboard-shots")
COLOUR_PIXELS = """(args) => {
  const [selector, hex] = args;
  const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
  const canvas = document.querySelector(selector);
  if (!canvas) return -1;
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 200 && Math.abs(px[i] - want[0]) < 40 && Math.abs(px[i + 1] - want[1]) < 40
        && Math.abs(px[i + 2] - want[2]) < 40) n++;
  }
  return n;
}"""

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not at /usr/bin/chromium", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The dashboard over a station database whose last session had a treadmill and strap."""
    import uvicorn

    from dashboard.server import build_app

    data_dir = tmp_path_factory.mktemp("station") / "data"
    ids = seed_small(data_dir)
    add_trainer(data_dir)
    sid = ids["steady_last"]
    with sqlite3.connect(data_dir / "backstep.sqlite3") as conn:
        have = {r[1] for r in conn.execute("PRAGMA table_info(samples)")}
        for name, kind in (("speed_kmh", "REAL"), ("distance_m", "REAL"), ("stride_m", "REAL"),
                           ("incline_pct", "REAL"), ("heart_rate_bpm", "INTEGER")):  # fmt: skip
            if name not in have:
                conn.execute(f"ALTER TABLE samples ADD COLUMN {name} {kind}")
        conn.execute(
            "UPDATE samples SET speed_kmh = CASE WHEN t < 60 THEN 2.4 ELSE 3.2 END,"
            " distance_m = 800 + t * 0.8, stride_m = 0.45, heart_rate_bpm = 92 + t / 3"
            " WHERE session_id = ?",
            (sid,),
        )
    srv = uvicorn.Server(
        uvicorn.Config(
            build_app(station_config(data_dir)),
            host="127.0.0.1",
            port=(port := free_port()),
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}", sid
    srv.should_exit = True
    thread.join(timeout=5)


def test_the_speed_and_heart_rate_charts_are_drawn(served: tuple[str, int]) -> None:
    base, sid = served
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for width in (1280, 390):  # a desk and a phone
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + "/login")
                page.fill("input[name=username]", TRAINER)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.goto(f"{base}/sessions/{sid}")
                page.wait_for_selector("[data-chart=heart] canvas")
                assert page.locator(".chart canvas").count() == 5
                # belt speed in Okabe-Ito blue, heart rate in vermillion
                assert page.evaluate(COLOUR_PIXELS, ["[data-chart=speed] canvas", "#0072B2"]) > 50
                assert page.evaluate(COLOUR_PIXELS, ["[data-chart=heart] canvas", "#D55E00"]) > 50
                assert "Average belt speed" in page.inner_text(".facts")
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"machine-session-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
