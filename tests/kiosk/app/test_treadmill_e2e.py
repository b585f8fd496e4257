"""Issue 27's acceptance test: a virtual treadmill and strap drive a real headless session.

bumble's in-process radio carries a virtual FTMS treadmill and a virtual heart-rate strap;
the kiosk (real pygame under the dummy driver, the real pose model on the real walker clip,
a real SQLite file) connects to them through `AirCentral` exactly as it does through BlueZ.
The belt starts the session, runs faster than the block asks (a cue, recorded), both
devices go away mid-session and come back, and the stored per-second rows have no hole.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import datetime as dt
import itertools
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.ble_air import VirtualAir, treadmill_data
from support.paths import FIXTURES

from hw.ble.settings import HeartRateConfig, TreadmillConfig
from hw.events import ButtonEvent
from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.schema import BackstepConfig, ProgramBlock
from kiosk.flow.effects import BeginSession, Effect
from kiosk.flow.machine import BELT_STARTED
from kiosk.session.views import MachineView
from kiosk.store.database import Member, Store, database_path

WALKER = FIXTURES / "retro_walk_gym.mp4"
BELT_KMH = 4.2  # 2.6 mph, on a block that asks for 1.5 mph
BIRTH_YEAR = 1970  # about 56: HRmax 169 (Tanaka), the top zone from 152 bpm
HIGH_BPM = 160


def config(tmp_path: Path) -> BackstepConfig:
    cfg = BackstepConfig()
    cfg.storage.data_dir = tmp_path / "data"
    cfg.display.fullscreen = False
    cfg.cues.sound = False
    cfg.programs = {"starter": [ProgramBlock(kind="backward", minutes=5.0, speed_mph=1.5)]}
    # the clip's walker must not stop the session (a safety stop pauses the clock)
    cfg.safety.member_lost_s = 10.0
    cfg.safety.drift_back_limit = 1.0
    cfg.safety.drift_persist_s = 10.0
    timing = {"connect_timeout_s": 2.0, "reconnect_max_s": 2.0}
    cfg.treadmill = TreadmillConfig(enabled=True, device="Virtual Treadmill", units="mph", **timing)
    cfg.heart_rate = HeartRateConfig(enabled=True, device="Virtual Strap", **timing)
    return cfg


class Console:
    """The virtual treadmill's console and the strap's wearer: notify twice a second."""

    def __init__(self, air: VirtualAir) -> None:
        self.treadmill = air.treadmill("Virtual Treadmill", "F1:00:00:00:00:01")
        self.strap = air.strap("Virtual Strap", "F1:00:00:00:00:02")
        self.belt_kmh = 0.0
        self.bpm = 120  # raised once the belt cue is in
        self._distance = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-console", daemon=True)

    def start(self) -> None:
        self.treadmill.advertise()
        self.strap.advertise()
        self._thread.start()

    def _run(self) -> None:
        elapsed = 0.0
        while not self._stop.wait(0.5):
            elapsed += 0.5
            self._distance += self.belt_kmh / 3.6 * 0.5
            packet = treadmill_data(self.belt_kmh, int(self._distance), 1.0, int(elapsed))
            for peer, value in ((self.treadmill, packet), (self.strap, bytes([0, self.bpm]))):
                try:
                    if peer.connected:
                        peer.notify(value)
                except Exception:  # a link going down under the notification: the next one
                    pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Director:
    """Called from the kiosk loop every 0.2 s: moves the member through the session."""

    console: Console
    phase: str = "connect"
    marks: dict[str, float] = field(default_factory=dict)
    views: dict[str, MachineView | None] = field(default_factory=dict)
    belt_calls: list[tuple[str, str, list[Effect]]] = field(default_factory=list)
    _spied: bool = False

    def __call__(self, app: KioskApp) -> None:
        now = time.monotonic()
        c = app.controller
        screen = c.screen.value
        if not self._spied:
            self._spy(app)
        machine = app.station.machine
        if self.phase == "connect":
            t, h = machine.treadmill, machine.heart
            if t and h and t.status().connected and h.status().connected:
                app.effects.apply(c.on_card("100001", now, "card"), now)  # the member's card
                self.phase = "checkin"
        elif self.phase == "checkin" and screen in ("position", "baseline"):
            self.console.belt_kmh = BELT_KMH  # the member starts the belt
            self.marks["belt_on"] = now
            self.phase = "starting"
        elif self.phase == "starting" and screen == "session" and app.session is not None:
            self.marks["session"] = app.session.started_at
            self.phase = "coached"
        elif self.phase == "coached":
            run = app.session
            assert run is not None
            if run.cues.shown_keys["belt_slow_down"] and self.console.bpm < HIGH_BPM:
                self.console.bpm = HIGH_BPM  # the heart climbs past the top zone
            if run.cues.shown_keys["heart_ease_off"]:
                self.views["live"] = run.view(now + 1.0).machine
                self.console.treadmill.drop()  # the console switched off, the strap away
                self.console.strap.drop()
                self.marks["drop"] = now
                self.phase = "dropped"
        elif self.phase == "dropped" and now - self.marks["drop"] >= 5.0:
            assert app.session is not None
            self.views["gap"] = app.session.view(now + 1.0).machine
            self.console.treadmill.advertise()
            self.console.strap.advertise()
            self.marks["restore"] = now
            self.phase = "restored"
        elif self.phase == "restored":
            t, h = machine.treadmill, machine.heart
            up = t and h and t.status().connected and h.status().connected
            if up and "reconnected" not in self.marks:
                self.marks["reconnected"] = now
            if "reconnected" in self.marks and now - self.marks["reconnected"] >= 6.0:
                assert app.session is not None
                self.views["back"] = app.session.view(now + 1.0).machine
                app.post_button(ButtonEvent("stop", "press"))
                self.marks["stop"] = now
                self.phase = "stopping"
        elif self.phase == "stopping" and screen == "summary":
            app._stop("seconds")

    def _spy(self, app: KioskApp) -> None:
        """Keep every belt event the controller hears, with the screen it was on."""
        self._spied = True
        controller = app.controller
        real = controller.on_belt

        def on_belt(event: str, now: float) -> list[Effect]:
            screen = controller.screen.value
            effects = real(event, now)
            self.belt_calls.append((event, screen, effects))
            return effects

        controller.on_belt = on_belt  # type: ignore[method-assign]


@pytest.mark.slow
def test_virtual_treadmill_and_strap_drive_a_recorded_session_through_a_dropped_link(
    tmp_path: Path,
) -> None:
    cfg = config(tmp_path)
    with Store.open(cfg.storage) as store:
        store.upsert_members(
            [Member("100001", "Ada", dt.date(2099, 1, 1), None, birth_year=BIRTH_YEAR)]
        )
    air = VirtualAir()
    console = Console(air)
    console.start()
    addresses = (f"F2:00:00:00:00:{i:02X}" for i in itertools.count(1))
    director = Director(console)
    try:
        app = KioskApp(
            cfg,
            RunOptions(
                source=str(WALKER),
                headless=True,
                seconds=150.0,
                size=(800, 480),
                script=[(0.2 * i, director) for i in range(1, 750)],
                central_factory=lambda: air.central(next(addresses)),
            ),
        )
        summary = app.run()
        report = app.effects.summary
    finally:
        console.stop()
        air.close()

    assert director.phase == "stopping", (director.phase, summary["errors"])
    assert summary["exit"] == "seconds"
    assert "safety" not in summary["states_seen"]
    # the belt started the session (the member pressed nothing)
    started = [(s, e) for ev, s, e in director.belt_calls if ev == BELT_STARTED and e]
    assert started and started[0][0] in ("position", "baseline")
    assert isinstance(started[0][1][0], BeginSession)

    live = director.views["live"]
    assert live is not None and live.units == "mph"
    assert live.speed == pytest.approx(2.6, abs=0.05)
    assert live.heart_rate_bpm == HIGH_BPM and not live.heart_rate_stale
    assert live.heart_zone == 5
    assert live.incline_pct == pytest.approx(1.0)
    assert live.backward_distance_m is not None and live.backward_distance_m > 0
    gap = director.views["gap"]
    assert gap is not None and gap.treadmill_stale and gap.heart_rate_stale
    assert gap.speed is None and gap.heart_rate_bpm is None
    back = director.views["back"]
    assert back is not None and back.speed == pytest.approx(2.6, abs=0.05)
    assert not back.treadmill_stale and back.heart_rate_bpm == HIGH_BPM
    assert back.backward_distance_m is not None
    assert back.backward_distance_m > live.backward_distance_m  # walked on, nothing lost

    with sqlite3.connect(database_path(cfg.storage)) as conn:
        (session_id, member_id, status, stored) = conn.execute(
            "SELECT id, member_id, status, summary FROM sessions"
        ).fetchone()
        rows = conn.execute(
            "SELECT t, speed_kmh, incline_pct, distance_m, stride_m, heart_rate_bpm"
            " FROM samples WHERE session_id = ? ORDER BY t",
            (session_id,),
        ).fetchall()
        cues = [
            json.loads(d)
            for (d,) in conn.execute(
                "SELECT data FROM events WHERE session_id = ? AND kind = 'cue'", (session_id,)
            )
        ]
    assert member_id == "100001" and status == "stopped"
    # one row per second of session, none missing (around the drop or anywhere)
    times = [round(r[0]) for r in rows]
    assert times == list(range(times[0], times[-1] + 1))
    assert times[0] <= 1
    session_s = json.loads(stored)["session_s"]
    assert abs(len(rows) - session_s) <= 2
    by_t = {round(r[0]): r for r in rows}
    t0 = director.marks["session"]
    drop, restore = director.marks["drop"] - t0, director.marks["restore"] - t0
    around = [by_t[s] for s in range(int(drop) - 3, int(restore) + 4)]
    assert len(around) == int(restore) - int(drop) + 7  # every second there
    gap_rows = [r for r in rows if drop + 1 <= r[0] <= restore - 1]
    assert gap_rows and all(r[1] is None and r[5] is None for r in gap_rows)
    with_speed = [r for r in rows if r[1] is not None]
    assert len(with_speed) >= len(rows) // 2
    assert all(r[1] == pytest.approx(BELT_KMH, abs=0.05) for r in with_speed)
    assert any(r[5] == 120 for r in rows) and any(r[5] == HIGH_BPM for r in rows)
    assert any(r[2] == pytest.approx(1.0) for r in rows)
    assert any(r[4] is not None for r in rows)  # stride: the camera's cadence and the belt
    distances = [r[3] for r in rows if r[3] is not None]
    assert distances == sorted(distances) and distances[-1] > 0
    # the block-speed cue, in the member's words and the staff file's units, recorded
    belt = [c for c in cues if c["key"] == "belt_slow_down"]
    assert belt and belt[0]["text"] == "Belt at 2.6 mph — this block is 1.5: slow it down"
    heart = [c for c in cues if c["key"] == "heart_ease_off"]
    assert heart and heart[0]["text"] == f"Heart rate {HIGH_BPM} — ease off: slow the belt"
    # the summary carries the belt and the heart
    assert report is not None and report.speed_units == "mph"
    assert any(v is not None for v in report.speed_by_second)
    assert len(report.speed_by_second) == len(report.times)
    labels = {row.label for row in report.rows}
    assert {"Avg speed", "Backward distance", "Avg heart rate", "Peak heart rate"} <= labels
    assert console.treadmill.control_point_writes == []  # read-only: never commanded
