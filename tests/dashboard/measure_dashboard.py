"""Measures the dashboard: page load p95, RSS and page weight on a 200-member station.

Run from the repository root (takes a few minutes; not part of the test suite):
    PYTHONPATH=. python tests/dashboard/measure_dashboard.py [--kiosk CLIP]
With --kiosk it also runs the kiosk headless on CLIP while the pages are being loaded and
reports its UI frame rate (and once without the dashboard, for comparison).
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from support.dashboard_data import seed_load
from support.dashboard_web import PASSWORD, TRAINER, add_trainer

ASSETS = ("/static/dashboard.css", "/static/uPlot.min.css", "/static/uPlot.iife.min.js",
          "/static/charts.js", "/static/favicon.svg")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set of a process, KiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    now = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    return now, peak


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1]


def browse(base: str, member_ids: list[str], session_ids: list[int], rounds: int) -> dict:
    """Log in, then load each kind of page ``rounds`` times; times in ms by page kind."""
    rng = random.Random(1)
    times: dict[str, list[float]] = {"members": [], "member": [], "session": []}
    with httpx.Client(base_url=base) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"username": TRAINER, "password": PASSWORD, "csrf": token})
        assert r.status_code in (200, 303), r.status_code
        for _ in range(rounds):
            for kind, path in (
                ("members", "/members"),
                ("member", f"/members/{rng.choice(member_ids)}"),
                ("session", f"/sessions/{rng.choice(session_ids)}"),
            ):
                t0 = time.perf_counter()
                r = c.get(path)
                times[kind].append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (path, r.status_code)
    return times


def weight(base: str, path: str) -> tuple[int, int]:
    """(gzip, plain) bytes of a page with its stylesheet, scripts and icon."""
    with httpx.Client(base_url=base) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        c.post("/login", data={"username": TRAINER, "password": PASSWORD, "csrf": token})
        plain = zipped = 0
        for p in (path, *ASSETS):
            body = c.get(p).content
            plain += len(body)
            zipped += len(gzip.compress(body, 6))
    return zipped, plain


def kiosk_fps(data_dir: Path, clip: str, seconds: float) -> float:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.app.loop import KioskApp, RunOptions
    from kiosk.config.schema import BackstepConfig

    cfg = BackstepConfig()
    cfg.storage.data_dir = data_dir
    cfg.display.fullscreen = False
    cfg.cues.sound = False
    app = KioskApp(cfg, RunOptions(source=clip, headless=True, seconds=seconds, size=(800, 480)))
    return float(app.run()["ui_fps"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--sessions", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=300, help="samples per session")
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--kiosk", default=None, help="a clip: also measure the kiosk's UI fps")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        t0 = time.monotonic()
        seed_load(data_dir, args.members, args.sessions, args.seconds)
        add_trainer(data_dir)
        db = data_dir / "backstep.sqlite3"
        took, size_mb = time.monotonic() - t0, db.stat().st_size / 1e6
        print(f"seeded {args.members} members, {args.sessions} sessions x {args.seconds} "
              f"samples in {took:.0f} s; database {size_mb:.0f} MB")  # fmt: skip
        toml = Path(tmp) / "backstep.toml"
        toml.write_text(f'[storage]\ndata_dir = "{data_dir}"\n[logging]\nlevel = "WARNING"\n')
        port = free_port()
        # as systemd/backstep-dashboard.service runs it: Nice=10, MALLOC_ARENA_MAX=2
        server = subprocess.Popen(
            [sys.executable, "-c", "from kiosk.cli import main; main()",
             "dashboard", "--config", str(toml), "--port", str(port)],
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},
            preexec_fn=lambda: os.nice(10),
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(base + "/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(f"dashboard RSS after start: {rss_kb(server.pid)[0] / 1024:.1f} MiB")
            members = [f"M{i:04d}" for i in range(args.members)]
            sessions = list(range(1, args.sessions + 1))
            fps: dict[str, float] = {}
            if args.kiosk:
                fps["alone"] = kiosk_fps(Path(tmp) / "kiosk", args.kiosk, 20)
                result: dict = {}
                browser = threading.Thread(
                    target=lambda: result.update(browse(base, members, sessions, 40))
                )
                browser.start()
                fps["browsed"] = kiosk_fps(Path(tmp) / "kiosk", args.kiosk, 20)
                browser.join()
            times = browse(base, members, sessions, args.rounds)
            now, peak = rss_kb(server.pid)
            for kind, xs in times.items():
                mid = statistics.median(xs)
                print(f"{kind:8s} p50 {mid:6.1f} ms   p95 {p95(xs):6.1f} ms   (n={len(xs)})")
            print(f"dashboard RSS {now / 1024:.1f} MiB (peak {peak / 1024:.1f} MiB)")
            for path in ("/members", "/members/M0001", "/sessions/1"):
                z, p = weight(base, path)
                print(f"page weight {path}: {z / 1024:.1f} KiB gzip, {p / 1024:.1f} KiB plain")
            for k, v in fps.items():
                print(f"kiosk UI fps {k}: {v:.1f}")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
