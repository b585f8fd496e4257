"""The belt and the heart in a session: distance, stride, zones, staleness and their cues.

The tracker reads what the links hold (`hw.ble.links.MachineReadings`, the links' own typed
readings: the links themselves run over bumble's radio in tests/hw/ble and the kiosk's
end-to-end test); the session runs on the real analyzer with a synthetic walker.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from support.synthetic_walker import SyntheticWalker

from hw.ble.link import HeartRateReading, TreadmillReading
from hw.ble.links import MachineReadings
from kiosk.config.schema import BackstepConfig
from kiosk.session.machine import (
    BELT_FAST,
    BELT_SLOW,
    HEART_HIGH,
    MachineRules,
    MachineSample,
    MachineTracker,
    age_from_birth_year,
    heart_zone,
    hr_max,
)
from kiosk.session.machine_report import machine_summary
from kiosk.session.plans import SessionPlan
from kiosk.session.running import SessionRun
from kiosk.ui.voice_cache import catalog_phrases
from vision.metrics.analyzer import PostureAnalyzer
from vision.types import FrameResult


@dataclass
class Air:
    """What the links hold now, set by the test; ``at`` is the read's clock time."""

    treadmill: TreadmillReading | None = None
    heart: HeartRateReading | None = None
    at: float = 0.0

    def belt(self, kmh: float, distance: int | None = None, incline: float | None = None) -> None:
        self.treadmill = TreadmillReading(
            speed_kmh=kmh,
            total_distance_m=distance,
            inclination_pct=incline,
            connected=True,
            updated_at=self.at,
        )

    def pulse(self, bpm: int) -> None:
        self.heart = HeartRateReading(bpm=bpm, connected=True, updated_at=self.at)

    def read(self) -> MachineReadings:
        return MachineReadings(self.treadmill, self.heart, self.at)


def tracker(air: Air, **rules: object) -> MachineTracker:
    return MachineTracker(air.read, MachineRules(**rules))  # type: ignore[arg-type]


def step(m: MachineTracker, air: Air, t: float, backward: bool = True, cadence=None) -> None:
    air.at = t
    m.poll(t)
    m.update(t, running=True, backward=backward, cadence_spm=cadence)


def test_backward_distance_is_the_odometer_delta_of_backward_blocks_only() -> None:
    air = Air()
    m = tracker(air)
    air.belt(3.6, distance=1000)  # 1 m/s; the odometer already read 1 km
    step(m, air, 0.0)
    for t in range(1, 11):  # ten backward seconds
        air.at = float(t)
        air.belt(3.6, distance=1000 + t)
        step(m, air, float(t))
    assert m.sample.distance_m == pytest.approx(10.0)
    for t in range(11, 21):  # a forward block: the odometer runs, the backward total does not
        air.at = float(t)
        air.belt(3.6, distance=1000 + t)
        step(m, air, float(t), backward=False)
    assert m.sample.distance_m == pytest.approx(10.0)
    air.at = 21.0
    air.belt(3.6, distance=5)  # the console restarted its odometer: no jump, no minus
    step(m, air, 21.0)
    air.at = 22.0
    air.belt(3.6, distance=6)
    step(m, air, 22.0)
    assert m.sample.distance_m == pytest.approx(11.0)


def test_metres_walked_forward_while_the_link_was_quiet_are_not_counted_backwards() -> None:
    """The console goes quiet in a forward block (no packet, no disconnection) and speaks
    again in the next, backward block: its odometer gained the forward metres meanwhile,
    and they are not the member's backward distance. A quiet spell inside one backward
    block still counts (the e2e drop)."""
    air = Air()
    m = tracker(air)
    for t in range(0, 6):  # a forward block at 1 m/s
        air.at = float(t)
        air.belt(3.6, distance=1000 + t)
        step(m, air, float(t), backward=False)
    for t in range(6, 10):  # quiet: the last packet was at 5 s
        step(m, air, float(t), backward=False)
    for t in range(10, 12):  # the backward block starts, still quiet
        step(m, air, float(t))
    for t in range(12, 21):  # the console speaks again: 1012 m, then on
        air.at = float(t)
        air.belt(3.6, distance=1000 + t)
        step(m, air, float(t))
    assert m.sample.distance_m == pytest.approx(8.0)
    for t in range(21, 25):  # quiet inside the backward block
        step(m, air, float(t))
    air.at = 25.0
    air.belt(3.6, distance=1025)
    step(m, air, 25.0)
    assert m.sample.distance_m == pytest.approx(13.0)


def test_a_treadmill_never_heard_this_session_gives_no_backward_distance() -> None:
    """A console switched off or not found: the session walked no "0 m" backwards (a
    summary row would tell the member they did worse than last time)."""
    air = Air()
    air.treadmill = TreadmillReading(connected=False)  # configured, never connected
    m = tracker(air)
    for t in range(30):
        step(m, air, float(t))
    assert m.sample.distance_m is None
    view = m.view()
    assert view is not None and view.backward_distance_m is None and view.treadmill_stale
    assert "backward_distance_m" not in machine_summary([m.sample] * 30, "mph")


def test_without_an_odometer_the_belt_speed_is_integrated() -> None:
    air = Air()
    m = tracker(air)
    for i in range(41):  # 10 s at 4 steps a second, 7.2 km/h = 2 m/s
        air.at = i * 0.25
        air.belt(7.2)
        step(m, air, i * 0.25)
    assert m.sample.distance_m == pytest.approx(20.0, abs=0.1)


def test_stride_is_belt_speed_over_cadence_and_needs_both() -> None:
    air = Air()
    m = tracker(air)
    air.belt(3.6)  # 1 m/s at 100 steps/min: 0.6 m a step
    step(m, air, 0.0, cadence=100.0)
    assert m.sample.stride_m == pytest.approx(0.6)
    step(m, air, 0.1, cadence=None)
    assert m.sample.stride_m is None


def test_a_belt_standing_or_creeping_gives_no_stride_and_no_average_speed() -> None:
    """A console at rest reports 0-0.3 km/h while the camera may still count steps (a member
    marking time): 0.2 km/h over 100 steps/min is no 3 cm stride, and the seconds a belt
    stood still in a running session (before it paused it, or before the member started
    it) are no part of the walk's average speed or stride."""
    air = Air()
    m = tracker(air)
    air.belt(0.2)
    step(m, air, 0.0, cadence=100.0)
    assert m.sample.stride_m is None
    samples = [MachineSample(speed_kmh=0.0) for _ in range(10)]
    samples += [MachineSample(speed_kmh=0.2, stride_m=0.03) for _ in range(5)]
    samples += [MachineSample(speed_kmh=2.4, stride_m=0.5) for _ in range(45)]
    summary = machine_summary(samples, "mph")
    assert summary["average_speed_kmh"] == pytest.approx(2.4)
    assert summary["average_stride_m"] == pytest.approx(0.5)
    assert "average_speed_kmh" not in machine_summary([MachineSample(speed_kmh=0.0)], "mph")


@pytest.mark.parametrize("cadence", [1.0, 5.0, 20.0, 2000.0])
def test_a_cadence_no_walker_has_gives_no_stride(cadence: float) -> None:
    """A cadence just warming up (one step in a long window) or miscounted gives a 60 m or a
    2 cm "stride": none is shown or averaged."""
    air = Air()
    m = tracker(air)
    air.belt(3.6)
    step(m, air, 0.0, cadence=cadence)
    assert m.sample.stride_m is None


def test_a_quiet_or_dropped_link_is_stale_and_its_numbers_are_left_out() -> None:
    air = Air()
    m = tracker(air, units="km/h")
    air.belt(4.0, distance=10, incline=2.0)
    air.pulse(130)
    step(m, air, 0.0)
    view = m.view()
    assert view is not None and view.speed == 4.0 and view.incline_pct == 2.0
    assert view.heart_rate_bpm == 130 and not view.treadmill_stale
    step(m, air, 3.5)  # nothing new for 3.5 s
    view = m.view()
    assert view is not None and view.treadmill_stale and view.heart_rate_stale
    assert view.speed is None and view.heart_rate_bpm is None and view.incline_pct is None
    assert m.sample.speed_kmh is None and m.sample.heart_rate_bpm is None
    air.at = 4.0
    air.belt(4.0)
    air.treadmill = TreadmillReading(speed_kmh=4.0, connected=False, updated_at=4.0)
    step(m, air, 4.0)  # a fresh packet, then the link dropped: stale at once
    assert m.view().treadmill_stale  # type: ignore[union-attr]


@pytest.mark.parametrize(("kmh", "incline"), [(655.35, 3276.7), (99.0, -3276.8), (45.5, 60.0)])
def test_a_speed_or_incline_no_treadmill_has_is_not_used(kmh: float, incline: float) -> None:
    """A broken or hostile console can send any uint16 speed (to 655 km/h) and sint16
    incline (to +-3277 %): lean must not be judged on a wall, nor the belt cued at 400 mph."""
    air = Air()
    m = tracker(air)
    events = []
    for i in range(20):
        t = float(i)
        air.at = t
        air.belt(kmh, incline=incline)
        step(m, air, t, cadence=100.0)
        events += m.cue_events(t, 1.5, settling=False)
    assert m.speed_kmh is None and m.incline_pct is None
    view = m.view()
    assert view is not None and (view.speed, view.incline_pct, view.stride_m) == (None, None, None)
    assert events == [] and not m.belt_started


def test_the_steepest_and_fastest_real_treadmills_are_read() -> None:
    air = Air()
    m = tracker(air)
    air.belt(25.0, incline=40.0)  # an incline trainer at 40 %, a sprint belt at 25 km/h
    step(m, air, 0.0)
    assert (m.speed_kmh, m.incline_pct) == (25.0, 40.0)
    air.belt(3.0, incline=-6.0)  # a decline
    step(m, air, 0.5)
    assert m.incline_pct == -6.0


def test_no_link_configured_means_no_machine_view() -> None:
    assert tracker(Air()).view() is None


def test_speed_is_shown_in_the_staff_files_units() -> None:
    air = Air()
    m = tracker(air, units="mph")
    air.belt(4.2)
    step(m, air, 0.0)
    assert m.view().speed == pytest.approx(2.6)  # type: ignore[union-attr]


def test_heart_zones_are_tanakas_hrmax_shares_and_need_an_age() -> None:
    assert hr_max(40) == pytest.approx(180.0)  # 208 - 0.7 x 40
    assert heart_zone(89, 40) is None  # below 50 %
    assert heart_zone(90, 40) == 1
    assert heart_zone(108, 40) == 2
    assert heart_zone(126, 40) == 3
    assert heart_zone(144, 40) == 4
    assert heart_zone(162, 40) == 5
    assert heart_zone(200, 40) == 5
    assert heart_zone(150, None) is None  # no age: the number alone


def belt_events(m: MachineTracker, air: Air, kmh: float, start: float, end: float, **kw):
    flags = []
    t = start
    while t <= end + 1e-9:
        air.at = t
        air.belt(kmh)
        step(m, air, t)
        flags += [(t, e.kind, e.data["fault"]) for e in m.cue_events(t, 1.5, **kw)]
        t = round(t + 0.5, 3)
    return flags


@pytest.mark.parametrize("born", [2030, 2026, 2020, 1900, 1000, -5])
def test_a_birth_year_no_member_can_have_gives_no_age_so_no_zone(born: int) -> None:
    """A birth year reaches the session from the fleet's server too (any integer there), or
    from a roster checked years ago: an age outside 10-110 is a typo, not a member's heart."""
    age = age_from_birth_year(born, 2026)
    assert age is None
    assert heart_zone(150, age) is None


def test_a_plausible_birth_year_gives_the_age_this_year() -> None:
    assert age_from_birth_year(1970, 2026) == 56.0
    assert age_from_birth_year(2016, 2026) == 10.0
    assert age_from_birth_year(None, 2026) is None


def test_a_belt_off_the_block_speed_is_flagged_after_the_hold_and_cleared_on_target() -> None:
    air = Air()
    m = tracker(air, units="mph", speed_tolerance_kmh=0.5, speed_hold_s=5.0)
    # 1.5 mph is 2.41 km/h: 2.8 km/h is within 0.5, never flagged
    assert belt_events(m, air, 2.8, 0.0, 20.0, settling=False) == []
    flags = belt_events(m, air, 4.2, 20.5, 40.0, settling=False)
    assert flags == [(25.5, "fault", BELT_FAST)]  # held 5 s first
    assert m.wording[BELT_FAST] == "Belt at 2.6 mph — this block is 1.5: slow it down"
    flags = belt_events(m, air, 2.4, 40.5, 50.0, settling=False)
    assert flags == [(40.5, "fault_cleared", BELT_FAST)]
    flags = belt_events(m, air, 1.2, 50.5, 60.0, settling=False)
    assert flags == [(55.5, "fault", BELT_SLOW)]
    assert m.wording[BELT_SLOW] == "Belt at 0.7 mph — this block is 1.5: speed it up"


def test_no_belt_cue_while_a_block_change_settles() -> None:
    air = Air()
    m = tracker(air)
    assert belt_events(m, air, 4.2, 0.0, 30.0, settling=True) == []


def test_a_heart_above_the_top_zone_for_a_few_seconds_is_told_to_ease_off() -> None:
    air = Air()
    m = tracker(air, age=40.0)  # top zone from 162 bpm
    air.belt(2.4)
    flags = []
    for i in range(20):
        t = float(i)
        air.at = t
        air.belt(2.4)
        air.pulse(160 if i < 5 else 170)
        step(m, air, t)
        flags += [(t, e.kind, e.data["fault"]) for e in m.cue_events(t, 1.5, settling=False)]
    assert flags == [(10.0, "fault", HEART_HIGH)]
    assert m.wording[HEART_HIGH] == "Heart rate 170 — ease off: slow the belt"
    unknown = tracker(air)  # no age: no zone, so no "above the top zone"
    assert unknown.cue_events(30.0, 1.5, settling=False) == []


@pytest.mark.parametrize(
    ("bpm", "contact"),
    [(171, False), (0, None), (0, True), (255, None), (255, True), (400, None), (12, True)],
)
def test_a_strap_off_the_skin_or_an_absurd_bpm_is_no_heart_rate(bpm: int, contact) -> None:
    """A strap that reports no skin contact sends noise or its last bpm; 0, 255 or 400 bpm
    are no person's: none is shown, zoned, sampled (averages) or told to ease off."""
    air = Air()
    m = tracker(air, age=40.0)  # top zone from 162 bpm
    events = []
    for i in range(20):
        t = float(i)
        air.at = t
        air.belt(2.4)
        air.heart = HeartRateReading(bpm=bpm, contact=contact, connected=True, updated_at=t)
        step(m, air, t)
        events += m.cue_events(t, 1.5, settling=False)
    view = m.view()
    assert view is not None
    assert m.sample.heart_rate_bpm is None
    assert (view.heart_rate_bpm, view.heart_zone) == (None, None)
    assert view.heart_rate_stale  # "no signal", not a blank
    assert events == []


# -- the session -----------------------------------------------------------------------------


class Vision:
    """The part of the vision service a session uses, around a real analyzer (no camera)."""

    def __init__(self, cfg: BackstepConfig, frame_size: tuple[int, int]) -> None:
        self.analyzer = PostureAnalyzer(
            cfg.posture, safety=cfg.safety, zone=cfg.zone, view="side", frame_size=frame_size
        )
        self.inclines: list[float] = []

    def set_incline(self, percent: float) -> None:
        self.inclines.append(percent)
        self.analyzer.set_incline(percent)


class Recorder:
    def __init__(self) -> None:
        self.cues: list[tuple[float, dict]] = []
        self.samples: list = []

    def start(self, *_: object) -> None:
        pass

    def add_event(self, t: float, kind: str, data: dict | None = None) -> None:
        if kind == "cue":
            self.cues.append((t, dict(data or {})))

    def add_events(self, events: list) -> None:
        pass

    def add_samples(self, t: float, samples: list) -> None:
        self.samples += samples

    def finish(self, *_: object) -> None:
        pass


def session(air: Air, incline: float | None = None) -> tuple[SessionRun, Vision, Recorder]:
    cfg = BackstepConfig.model_validate(
        {
            "programs": {
                "back": [{"kind": "backward", "minutes": 3, "speed_mph": 1.5, "incline_percent": 2}]
            }
        }
    )
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100)
    vision = Vision(cfg, walker.p.frame_size)
    recorder = Recorder()
    machine = MachineTracker(air.read, MachineRules("mph", 0.5, 5.0, age=40.0))
    run = SessionRun(cfg, SessionPlan.from_config(cfg), "Ada", recorder, machine=machine)
    run.on_incline = vision.set_incline
    run.start(0.0)
    return run, vision, recorder


def drive(run: SessionRun, vision: Vision, air: Air, end: float, kmh: float, incline=None):
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100)
    fps = 15
    for i in range(round(end * fps)):
        t = i / fps
        air.at = t
        air.belt(kmh, distance=round(t * kmh / 3.6), incline=incline)
        air.pulse(120)
        metrics, events = vision.analyzer.update(t, walker.pose_at(t))
        run.update(t, FrameResult(i, t, t, (640, 480), metrics=metrics), events)


def test_the_session_tells_the_belt_speed_with_its_numbers_and_records_it() -> None:
    air = Air()
    run, vision, recorder = session(air)
    drive(run, vision, air, 75.0, kmh=4.2, incline=3.5)
    belt = [(t, c) for t, c in recorder.cues if c["key"] == "belt_slow_down"]
    assert belt, [c["key"] for _, c in recorder.cues]
    assert belt[0][1]["text"] == "Belt at 2.6 mph — this block is 1.5: slow it down"
    assert belt[0][1]["level"] == "cue" and belt[0][1]["direction"] == "backward"
    # the voice says the catalog's phrase, cached at start, not words it would render late
    assert belt[0][1]["spoken"] == "Belt faster than this block: slow it down"
    assert belt[0][1]["spoken"] in catalog_phrases()
    # reminders of the same words sound no more often than every 20 s
    sounded = [t for t, c in belt if c["sounded"]]
    assert len(sounded) >= 2
    assert all(b - a >= 20.0 for a, b in itertools.pairwise(sounded))
    view = run.view(75.0)
    assert view.machine is not None and view.machine.speed == pytest.approx(2.6)
    assert view.machine.heart_rate_bpm == 120 and view.machine.heart_zone == 2  # 67 % of 180
    # lean is judged on the deck's own incline, not the block's 2 %
    assert vision.inclines == [3.5]
    assert run.cues._incline_deg == pytest.approx(2.0, abs=0.05)  # atan(3.5 %)
    summary = run.finish(75.0)
    assert summary["average_speed_kmh"] == pytest.approx(4.2)
    assert summary["backward_distance_m"] == pytest.approx(75 * 4.2 / 3.6, abs=3)
    assert summary["average_heart_rate_bpm"] == 120 and summary["speed_units"] == "mph"
    assert recorder.samples and recorder.samples[-1].speed_kmh == pytest.approx(4.2)
    assert recorder.samples[-1].stride_m is not None


def test_a_belt_on_the_block_speed_gets_no_belt_cue_and_no_deck_incline_keeps_the_blocks() -> None:
    air = Air()
    run, vision, recorder = session(air)
    drive(run, vision, air, 40.0, kmh=2.5)  # the console sends no incline
    assert not [c for _, c in recorder.cues if c["key"].startswith("belt_")]
    assert vision.inclines == []  # the block's 2 % stays (set at the block change)
    assert run.cues._incline_deg == pytest.approx(1.15, abs=0.05)  # atan(2 %)


def test_a_session_without_links_has_no_machine_view_nor_machine_summary() -> None:
    cfg = BackstepConfig()
    run = SessionRun(cfg, SessionPlan.from_config(cfg), "Ada")
    run.start(0.0)
    run.update(1.0, None, [])
    assert run.view(1.0).machine is None
    summary = run.finish(2.0)
    assert "average_speed_kmh" not in summary and "speed_units" not in summary


def test_the_summary_shows_the_belt_and_heart_rows_and_charts_only_when_linked() -> None:
    from kiosk.session.report import Limits, summary_view

    samples = [
        {
            "t": 0.0,
            "trunk_lean_deg": 1.0,
            "posture": "upright",
            "speed_kmh": 4.2,
            "heart_rate_bpm": 120,
        },
        {"t": 1.0, "trunk_lean_deg": 1.0, "posture": "upright"},  # the links were quiet
    ]
    machine = {
        "average_speed_kmh": 4.2,
        "backward_distance_m": 52.4,
        "average_stride_m": 0.61,
        "average_heart_rate_bpm": 120,
        "peak_heart_rate_bpm": 131,
        "speed_units": "mph",
    }
    last = {"backward_distance_m": 40.0, "average_speed_kmh": 3.2}
    view = summary_view({"samples": samples, **machine}, Limits(), last, "")
    rows = {r.label: r for r in view.rows}
    assert rows["Avg speed"].now == "2.6 mph" and rows["Avg speed"].last == "2.0 mph"
    assert rows["Avg speed"].trend is None  # faster is not better in itself
    assert rows["Backward distance"].now == "52 m" and rows["Backward distance"].trend == 1
    assert rows["Stride"].now == "0.61 m"
    assert rows["Avg heart rate"].now == "120 bpm" and rows["Peak heart rate"].now == "131 bpm"
    assert view.speed_units == "mph" and view.speed_by_second == [2.61, None]
    assert view.heart_rate_by_second == [120, None]
    plain = summary_view({"samples": samples[1:]}, Limits(), None, "")
    labels = {r.label for r in plain.rows}
    assert not labels & {"Avg speed", "Backward distance", "Stride", "Avg heart rate"}
    assert plain.speed_by_second == [] and plain.heart_rate_by_second == []


def test_a_belt_changed_for_the_next_block_during_its_countdown_is_not_cued() -> None:
    """The member speeds the belt up 8 s before a change to 2 mph: 3 s off the old target
    before the 5 s countdown, then the countdown and the settling: nothing to correct."""
    air = Air()
    cfg = BackstepConfig.model_validate(
        {
            "programs": {
                "two": [
                    {"kind": "backward", "minutes": 0.5, "speed_mph": 1.0},
                    {"kind": "backward", "minutes": 1.0, "speed_mph": 2.0},
                ]
            }
        }
    )
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100)
    vision = Vision(cfg, walker.p.frame_size)
    recorder = Recorder()
    machine = MachineTracker(air.read, MachineRules("mph", 0.5, 5.0))
    run = SessionRun(cfg, SessionPlan.from_config(cfg), "Ada", recorder, machine=machine)
    run.start(0.0)
    fps = 15
    for i in range(60 * fps):
        t = i / fps
        air.at = t
        air.belt(1.0 * 1.609344 if t < 22.0 else 2.0 * 1.609344)
        metrics, events = vision.analyzer.update(t, walker.pose_at(t))
        run.update(t, FrameResult(i, t, t, (640, 480), metrics=metrics), events)
    assert run.clock.block_index == 1
    assert not [c for _, c in recorder.cues if c["key"].startswith("belt_")]


def test_a_belt_slowed_into_a_pause_is_not_cued_the_moment_the_session_resumes() -> None:
    """The member slows the belt to a stop (the belt pauses the session after 3 s, under the
    5 s hold), and a minute later starts it again: the belt climbs back to the block's speed
    in a few seconds, and hears no "speed it up" the moment the session resumes."""
    air = Air()
    run, vision, recorder = session(air)  # 1.5 mph = 2.41 km/h
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100)
    fps, paused_at, resumed_at = 15, 30.0, 90.0
    for i in range(round(100.0 * fps)):
        t = i / fps
        if t < 26.0:
            kmh = 2.41
        elif t < paused_at:  # slowing to a stop: 4 s off the target, under the 5 s hold
            kmh = max(0.0, 1.6 - (t - 26.0) * 0.5)
        elif t < resumed_at:
            kmh = 0.0
        else:  # started again: back on the target 4 s later
            kmh = min(2.41, 0.5 + (t - resumed_at) * 0.48)
        if abs(t - paused_at) < 0.5 / fps:
            run.pause(t)
        if abs(t - resumed_at) < 0.5 / fps:
            run.resume(t)
        air.at = t
        air.belt(kmh)
        air.pulse(120)
        metrics, events = vision.analyzer.update(t, walker.pose_at(t))
        run.update(t, FrameResult(i, t, t, (640, 480), metrics=metrics), events)
    belt = [(t, c["key"]) for t, c in recorder.cues if c["key"].startswith("belt_")]
    assert belt == []


def test_a_belt_cue_reminder_says_the_speed_the_belt_has_now() -> None:
    """The member slows the belt from 2.6 to 2.2 mph, still off the block's 1.5: the banner
    and the reminder say 2.2, and the moved number is no new cue (one first announcement)."""
    air = Air()
    run, vision, recorder = session(air)
    walker = SyntheticWalker(view="side", facing="left", cadence_spm=100)
    fps = 15
    for i in range(round(80.0 * fps)):
        t = i / fps
        kmh = 4.2 if t < 40.0 else 3.6
        air.at = t
        air.belt(kmh)
        air.pulse(120)
        metrics, events = vision.analyzer.update(t, walker.pose_at(t))
        run.update(t, FrameResult(i, t, t, (640, 480), metrics=metrics), events)
    belt = [(t, c) for t, c in recorder.cues if c["key"] == "belt_slow_down"]
    assert [c["text"][:16] for _, c in belt if not c["reminder"]] == ["Belt at 2.6 mph "]
    later = [c for t, c in belt if t >= 45.0 and c["sounded"]]
    assert later and all(c["text"].startswith("Belt at 2.2 mph") for c in later), belt
