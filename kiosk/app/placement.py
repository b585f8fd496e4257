"""The placement check on the staff screen: the kiosk's own results in, judged off the loop."""

from __future__ import annotations

import dataclasses
import logging
import queue

from kiosk.app.station import Station
from kiosk.flow.effects import Effect
from kiosk.flow.machine import KioskController, Screen
from kiosk.store.connection import resolve_data_dir
from kiosk.store.placement_state import save_placement
from kiosk.ui.placement_view import PlacementStage, PlacementView
from vision.placement.check import WHOLE_PICTURE, PlacementCollector
from vision.placement.judge import ZONE_SECONDS, PlacementReport
from vision.threads import WorkerThread
from vision.types import FrameResult

logger = logging.getLogger(__name__)

#: Extra wall time allowed before judging anyway (no member, a camera that stalls).
GRACE_S = 10.0


@dataclasses.dataclass(frozen=True, slots=True)
class Judged:
    """What the judging thread hands back: the report, or why there is none, and a save error."""

    report: PlacementReport | None
    error: str = ""


class PlacementCheck:
    """Feeds a `PlacementCollector` from the kiosk's own vision while staff run the check.

    No second model runs: each new pose result and, every half second, the latest camera
    picture (kept in memory only) go to the collector. After ``seconds`` of walking the
    verdicts are worked out in a `WorkerThread` (estimating the roll on 40 pictures takes
    100+ ms: never on the UI loop), saved for the session records, and picked up by `step`.
    The check refuses nothing: its report only tells staff.
    """

    def __init__(
        self, station: Station, controller: KioskController, seconds: float = ZONE_SECONDS
    ) -> None:
        self.station = station
        self.controller = controller
        self.seconds = seconds
        self.stage: PlacementStage | None = None
        self.report: PlacementReport | None = None
        self.error = ""
        self._collector: PlacementCollector | None = None
        self._started_at = 0.0
        self._last_result = -1
        self._worker: WorkerThread | None = None
        self._answers: queue.SimpleQueue[Judged] = queue.SimpleQueue()

    @property
    def is_open(self) -> bool:
        """True from `start` until `stop`."""
        return self.stage is not None

    def start(self, now: float) -> None:
        """Start (or restart) collecting; the member is looked for in the whole picture."""
        self._abandon_worker()
        self._collector = PlacementCollector()
        self._started_at = now
        self._last_result = -1
        self.report = None
        self.error = ""
        self.stage = "collecting"
        # the check suggests the zone, so it must not trust the one in force to find the walker
        self.station.vision.set_zone(WHOLE_PICTURE)
        logger.info("placement check started (%.0f s of walking)", self.seconds)

    def stop(self) -> None:
        """Drop what was collected (pictures included) and give the vision its zone back."""
        was_collecting = self.stage == "collecting"
        self._abandon_worker()
        self._collector = None
        self.stage = None
        self.report = None
        self.error = ""
        if was_collecting:
            self.station.vision.set_zone(self.station.config.zone)

    def step(self, now: float, result: FrameResult | None, pose_fps: float) -> list[Effect]:
        """One loop step: feed the collector, start judging when due, take a finished report."""
        if self.stage is None:
            return []
        c = self.controller
        if c.screen is not Screen.STAFF or not c.staff.checking_placement:
            self.stop()  # staff left (STOP, the time-out, a camera loss)
            return []
        if self.stage == "collecting":
            self._collect(now, result)
            if self._due(now):
                self._judge(pose_fps)
            return []
        if self.stage == "judging":
            return self._take_answer(now)
        return []

    def view(self, now: float) -> PlacementView | None:
        """What the staff screen draws (None while no check is open)."""
        if self.stage is None:
            return None
        report = self.report
        lines = tuple(report.lines) if report is not None else ()
        zone = None
        if report is not None and report.zone is not None:
            z = report.zone
            zone = (z.x0, z.y0, z.x1, z.y1)
        return PlacementView(
            stage=self.stage,
            progress=self._progress(now),
            seconds=self.seconds,
            lines=lines,
            zone=zone,
            error=self.error,
        )

    # ------------------------------------------------------------------ parts
    def _collect(self, now: float, result: FrameResult | None) -> None:
        got = self._collector
        if got is None:
            return
        # the kiosk's own clock: a looping clip's media time starts over at each pass
        t = now - self._started_at
        frame = self.station.vision.latest_frame()
        if frame is not None and frame.index not in got.pictures and got.wants_picture(t):
            got.add_picture(frame.index, t, frame.image)
        if result is not None and result.frame_index != self._last_result:
            self._last_result = result.frame_index
            got.add_result(result, t)

    def _progress(self, now: float) -> float:
        if self.stage != "collecting":
            return 1.0
        got = self._collector
        watched = got.seconds if got is not None else 0.0
        return min(1.0, max(0.0, watched / self.seconds))

    def _due(self, now: float) -> bool:
        got = self._collector
        watched = got.seconds if got is not None else 0.0
        return watched >= self.seconds or now - self._started_at >= self.seconds + GRACE_S

    def _judge(self, pose_fps: float) -> None:
        got = self._collector
        self._collector = None  # the thread owns the pictures now; the loop keeps no reference
        self.stage = "judging"
        self.station.vision.set_zone(self.station.config.zone)
        if got is None:
            return
        expected = self.station.config.camera.view
        console = self.station.config.safety.console_side
        data_dir = resolve_data_dir(self.station.config.storage)
        answers = self._answers

        def work() -> None:
            try:
                report = got.report(expected, pose_fps, console)
            except Exception as exc:  # a broken estimate must not leave staff waiting
                logger.exception("placement check: judging failed")
                answers.put(Judged(None, f"the check failed: {exc}"))
                return
            error = ""
            try:
                save_placement(data_dir, report.summary())
            except OSError as exc:
                logger.warning("placement verdicts not kept: %s", exc)
                error = f"verdicts not kept: {exc}"
            answers.put(Judged(report, error))

        self._worker = WorkerThread(work, "backstep-placement")
        self._worker.start()

    def _take_answer(self, now: float) -> list[Effect]:
        try:
            judged = self._answers.get_nowait()
        except queue.Empty:
            return []
        self._worker = None
        self.stage = "report"
        self.report = judged.report
        self.error = judged.error
        if judged.error:
            self.station.report(f"placement: {judged.error}")
        zone = None
        console_side = None
        report = judged.report
        if report is not None:
            console_side = report.console_side
            logger.info("placement check: %s", report.summary())
            zone_line = next((line for line in report.lines if line.name == "zone"), None)
            # as `doctor --placement --save-zone`: only a zone from enough walking is offered
            if report.zone is not None and zone_line is not None and zone_line.verdict == "pass":
                z = report.zone
                zone = {"x0": z.x0, "y0": z.y0, "x1": z.x1, "y1": z.y1}
        return self.controller.on_placement_judged(zone, now, console_side)

    def _abandon_worker(self) -> None:
        # a judging thread cannot be interrupted mid-estimate: its answer is simply dropped
        if self._worker is not None:
            self._worker.stop(timeout=0)
            self._worker = None
        self._answers = queue.SimpleQueue()
