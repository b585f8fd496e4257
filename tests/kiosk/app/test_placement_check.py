"""The staff screen's placement check part without the pose model: nobody walks, staff leave."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
from support.paths import FIXTURES

from kiosk.app.placement import GRACE_S, PlacementCheck
from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import STAFF_MENU, FlowTimings, KioskController, Screen
from kiosk.store.placement_state import load_placement
from vision.placement.check import WHOLE_PICTURE
from vision.types import Frame


class ClipFrames:
    """The few vision calls the check makes: the clip's real pictures, the zones asked for."""

    def __init__(self, clip: Path) -> None:
        cap = cv2.VideoCapture(str(clip))
        ok, bgr = cap.read()
        cap.release()
        assert ok
        self.image = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        self.index = 0
        self.zones: list[Any] = []

    def latest_frame(self) -> Frame:
        self.index += 1
        return Frame(self.image, time.monotonic(), self.index)

    def set_zone(self, zone: Any) -> None:
        self.zones.append(zone)


def open_check(timings: FlowTimings | None = None) -> tuple[KioskController, PlacementCheck, Any]:
    cfg = BackstepConfig()
    vision = ClipFrames(FIXTURES / "retro_walk_gym.mp4")
    reported: list[str] = []
    station = SimpleNamespace(config=cfg, vision=vision, report=reported.append)
    c = KioskController(staff_pin="0000", timings=timings)
    check = PlacementCheck(station, c, seconds=20.0)  # type: ignore[arg-type]
    c.on_button("select", "hold", 0)
    for _ in range(4):
        c.on_button("select", "press", 0)
    for _ in range(STAFF_MENU.index("Check placement")):
        c.on_button("down", "press", 0)
    assert [e.kind for e in c.on_button("select", "press", 0)] == ["start_placement_check"]
    check.start(0.0)
    return c, check, vision


def wait_for_report(c: KioskController, check: PlacementCheck, now: float) -> None:
    deadline = time.monotonic() + 20
    while check.stage != "report" and time.monotonic() < deadline:
        check.step(now, None, 15.0)
        time.sleep(0.02)
    assert check.stage == "report"


def test_nobody_walking_is_judged_after_the_grace_time_and_no_zone_is_offered(data_dir):
    c, check, vision = open_check()
    assert vision.zones == [WHOLE_PICTURE]  # the walker is looked for in the whole picture
    for i in range(50):  # 25 s of pictures, nobody found in them
        check.step(i * 0.5, None, 15.0)
    assert check.stage == "collecting"
    view = check.view(25.0)
    assert view is not None and view.stage == "collecting" and view.progress == 0.0
    check.step(20.0 + GRACE_S, None, 15.0)  # a camera with nobody still gets its verdicts
    assert check.stage == "judging"
    assert vision.zones[-1] == BackstepConfig().zone  # the zone in force is back
    wait_for_report(c, check, 31.0)
    report = check.report
    assert report is not None
    lines = {line.name: line for line in report.lines}
    assert lines["whole body"].verdict == "fail" and lines["whole body"].fix
    assert lines["zone"].verdict != "pass"
    # light and sharpness are judged from the pictures alone: the gym is lit and sharp
    assert lines["light"].verdict == "pass" and lines["sharpness"].verdict == "pass"
    # nothing to save: START says so; the failed check is only told, nothing is refused
    assert c.staff.placement_zone is None
    assert c.on_button("start", "press", 32) == []
    assert c.staff.message == "No zone to save yet"
    kept = load_placement(data_dir)
    assert kept is not None and kept.verdicts["whole body"] == "fail"


def test_the_staff_time_out_mid_check_drops_it_and_gives_the_zone_back():
    c, check, vision = open_check(FlowTimings(staff_timeout_s=10))
    check.step(1.0, None, 15.0)
    assert check.view(1.0) is not None
    c.tick(11.0)  # staff walked away: the staff screen times out to idle
    assert c.screen is Screen.IDLE
    check.step(11.0, None, 15.0)
    assert check.stage is None and check.view(11.0) is None
    assert vision.zones == [WHOLE_PICTURE, BackstepConfig().zone]


def test_pictures_are_kept_every_half_second_in_memory_only():
    _c, check, _vision = open_check()
    for i in range(21):
        check.step(i * 0.1, None, 15.0)  # 2 s of steps at 10 per second
    got = check._collector
    assert got is not None
    assert len(got.pictures) == 5  # 0, 0.5, 1.0, 1.5, 2.0 s
    assert all(isinstance(p.image, np.ndarray) for p in got.pictures.values())
    check.stop()
    assert check._collector is None  # dropped with the check
