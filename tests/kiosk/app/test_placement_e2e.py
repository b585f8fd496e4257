"""The placement check on a real headless kiosk: the staff menu, 20 s of walking, the report."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from support.paths import FIXTURES, ROOT

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pytest

from hw.events import ButtonEvent
from kiosk.app.loop import KioskApp, RunOptions
from kiosk.config.loader import load_config
from kiosk.flow.machine import STAFF_MENU, Screen
from kiosk.store.connection import resolve_data_dir
from kiosk.store.placement_state import PLACEMENT_FILE, load_placement

#: a real backward walker seen from the side, well placed
GOOD_CLIP = FIXTURES / "retro_walk_gym.mp4"


def staff_file(tmp_path: Path) -> Path:
    """The shipped staff file with its comments, its data folder in ``tmp_path``."""
    text = (ROOT / "config" / "backstep.toml").read_text(encoding="utf-8")
    data = tmp_path / "data"
    text = text.replace('data_dir = ""', f'data_dir = "{data.as_posix()}"', 1)
    text = text.replace("sound = true", "sound = false", 1)
    path = tmp_path / "backstep.toml"
    path.write_text(text, encoding="utf-8")
    return path


def pin_presses(pin: str) -> list[str]:
    """The buttons that type ``pin`` on the staff screen (up to each digit, then select)."""
    out: list[str] = []
    for digit in pin:
        out += ["up"] * int(digit) + ["select"]
    return out


@pytest.mark.slow
def test_the_staff_screen_runs_the_placement_check_on_the_kiosks_own_results(tmp_path, monkeypatch):
    from vision.placement.check import WHOLE_PICTURE, PlacementCollector

    judged_on: list[str] = []
    judge = PlacementCollector.report

    def report_where(self, *args):
        judged_on.append(threading.current_thread().name)
        return judge(self, *args)

    monkeypatch.setattr(PlacementCollector, "report", report_where)
    toml = staff_file(tmp_path)
    cfg = load_config(toml)
    zone_before = cfg.zone.model_copy()
    seen: dict[str, object] = {}

    def press(name: str, kind: str = "press"):
        return lambda app: app.post_button(ButtonEvent(name, kind))

    def note(app: KioskApp) -> None:
        placement = app.effects.placement
        seen.setdefault("stages", [])
        stages = seen["stages"]
        assert isinstance(stages, list)
        if placement.stage not in stages:
            stages.append(placement.stage)
        if placement.stage == "report" and "report" not in seen:
            seen["report"] = placement.report
            seen["view"] = placement.view(0.0)
            app.post_button(ButtonEvent("start", "press"))  # save the suggested zone

    menu = ["down"] * STAFF_MENU.index("Check placement") + ["select"]
    buttons = pin_presses(cfg.staff.pin) + menu

    def zone_in_force(key: str):
        return lambda app: seen.setdefault(key, app.station.vision.zone)

    script = [(1.0, press("select", "hold"))]
    script += [(1.5 + 0.05 * i, press(name)) for i, name in enumerate(buttons)]
    # a first try left with STOP: the vision gets its zone back, SELECT starts afresh
    script += [(3.3, zone_in_force("zone while checking")), (3.4, press("stop"))]
    script += [(3.7, zone_in_force("zone after stop")), (3.8, press("select"))]
    script += [(5.0 + 0.25 * i, note) for i in range(100)]  # 5 .. 30 s
    script += [(30.5, lambda app: seen.setdefault("message", app.controller.staff.message))]
    script += [(30.6, lambda app: seen.setdefault("screen", app.controller.screen))]
    app = KioskApp(
        cfg,
        RunOptions(
            config_path=toml,
            source=str(GOOD_CLIP),
            headless=True,
            seconds=31.0,
            size=(800, 480),
            script=script,
        ),
    )
    summary = app.run()
    assert summary["errors"] == []
    # the check looks for the walker in the whole picture, then gives the zone back
    assert seen["zone while checking"] == WHOLE_PICTURE
    assert seen["zone after stop"] == zone_before
    assert seen.get("screen") is Screen.STAFF
    stages = seen["stages"]
    assert stages[0] == "collecting" and stages[-1] == "report", stages
    # the verdicts were worked out once, in the check's own thread, never on the UI loop
    assert judged_on == ["backstep-placement"]
    report = seen.get("report")
    assert report is not None, f"no report in time; stages {seen['stages']}"
    verdicts = report.summary()
    for name in ("whole body", "view", "level", "light", "sharpness"):
        assert verdicts[name] == "pass", next(line for line in report.lines if line.name == name)
    # every line that did not pass tells staff what to do
    assert all(line.fix for line in report.lines if line.verdict != "pass")
    assert report.seconds >= 20.0  # the 20 s, on the kiosk's clock (the clip loops)
    # the verdicts are kept for the session records
    data_dir = resolve_data_dir(app.config.storage)
    kept = load_placement(data_dir)
    assert kept is not None and kept.verdicts == verdicts
    raw = json.loads((data_dir / PLACEMENT_FILE).read_text())
    assert set(raw) == {"checked_at", "verdicts"}  # verdicts only: no picture, no landmark
    # the suggested zone, drawn, and saved by START into the staff file with its comments
    view = seen["view"]
    assert view.zone is not None and view.stage == "report"
    assert verdicts["zone"] == "pass"  # 20 s of walking seen: a zone START may save
    assert seen.get("message") == "Zone saved"
    saved = load_config(toml).zone
    assert (saved.x0, saved.y0, saved.x1, saved.y1) == pytest.approx(view.zone, abs=1e-3)
    assert saved != zone_before
    # the console's side the walk showed is saved with it (the staff file said "auto")
    assert report.console_side == "right"
    assert load_config(toml).safety.console_side == "right"
    assert "# Where members and sessions are kept" in toml.read_text(encoding="utf-8")
    # the judging thread ended; nothing of the check runs after the report
    assert "backstep-placement" not in [t.name for t in threading.enumerate()]
