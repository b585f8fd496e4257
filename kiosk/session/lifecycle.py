"""A checked-in member's session: the plan from progression, the stored baseline, the summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.config.schema import BackstepConfig
from kiosk.domain import COMPLETED, FINISHED_BY_MEMBER, STOPPED, CheckinMethod
from kiosk.flow.types import Member
from kiosk.members.checkin import CheckinService
from kiosk.members.roster import fresh_baseline
from kiosk.session.machine import session_tracker
from kiosk.session.plans import PlannedBlock, SessionPlan
from kiosk.session.progression import outcome_from_summary, suggest_next
from kiosk.session.report import Limits, personal_bests, summary_view
from kiosk.session.running import SessionRun
from kiosk.session.views import SummaryView
from kiosk.store.database import Store
from kiosk.store.takeaway import offer_for_session
from kiosk.vision_link.link import VisionLike
from vision.metrics.baseline import Baseline, neutral_baseline

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreparedMember:
    """What a member's check-in looked up for their session (so the UI loop never queries)."""

    member_id: str
    plan: SessionPlan
    suggestion: str
    previous_summary: dict[str, Any] | None
    level: int | None
    #: the member's best upright %, streak and backward minutes before this session
    bests: dict[str, float] = field(default_factory=dict)
    #: for heart-rate zones (None: unknown, the bpm is shown without a zone)
    birth_year: int | None = None


@dataclass(frozen=True, slots=True)
class CheckinAnswer:
    """What the controller is told after a check-in (``details`` are its keyword arguments)."""

    ok: bool
    details: dict[str, Any]


class MemberSessions:
    """Starts and ends sessions for whoever checked in; guests get the plain program.

    Members get the program scaled to their next suggested backward minutes and incline
    (`kiosk.session.progression.suggest_next` on their stored history and level), their stored
    standing baseline while it is fresh (``progression.baseline_max_age_days``), and a
    newly captured baseline saved for next time. Storage failures are reported through
    ``on_error`` and never stop the member from walking.

    Only `check_in` and `plan` read the database, and the kiosk runs `check_in` in its
    storage worker: it also prepares the member's plan, previous summary and level, so
    `begin` and `end` (UI thread) never query; writes (a captured baseline) go to ``defer``
    (the storage worker in the kiosk; run at once when None).
    """

    def __init__(
        self,
        config: BackstepConfig,
        store: Store | None,
        vision: VisionLike,
        on_error: Callable[[str], None],
        wall_clock: Callable[[], float] = time.time,
        defer: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self.config = config
        self.defer = defer
        # what check_in looked up for the member who checked in last (worker thread writes,
        # the UI thread reads after the check-in result was handed over)
        self.prepared: PreparedMember | None = None
        self.store = store
        self.vision = vision
        self.on_error = on_error
        #: recording failures (locked, full, corrupt): the app counts and shows them
        self.on_record_error: Callable[[str], None] = on_error
        self.wall_clock = wall_clock
        self.stored_baseline: Baseline | None = None
        self.last_summary: dict[str, Any] | None = None
        self._baseline_saved = False
        # recorders of ended sessions whose writers may still be writing (joined at close)
        self._closing: list[Any] = []
        #: the station's treadmill and heart-rate links (`hw.ble.links.MachineLinks`), if any
        self.machine_links: Any = None

    def _member_store(self, member: Member | None) -> tuple[Any, str] | None:
        if member is None or member.is_guest or self.store is None or member.member_id is None:
            return None
        return self.store, member.member_id

    # -- check-in ------------------------------------------------------------------------

    def check_in(
        self, service: CheckinService | None, code: str, method: CheckinMethod
    ) -> CheckinAnswer:
        """Ask the check-in service about ``code``; a member's stored baseline is looked up."""
        if service is None:
            return CheckinAnswer(False, {"reason": "Check-in is unavailable"})
        result = service.check_in(code, method)
        if result.ok and result.member is not None:
            member = Member(member_id=result.member.id, name=result.member.name)
            details = {
                "member_id": result.member.id,
                "name": result.member.name,
                "has_baseline": self.checked_in(member),
            }
            plan, text = self.plan(member)
            self.prepared = PreparedMember(
                result.member.id,
                plan,
                text,
                self._previous_summary(member),
                getattr(result.member, "level", None),
                self._bests(member),
                getattr(result.member, "birth_year", None),
            )
            return CheckinAnswer(True, details)
        if result.ok:
            return CheckinAnswer(True, {"name": "Guest"})
        return CheckinAnswer(False, {"reason": result.hint or "Not recognised"})

    def checked_in(self, member: Member | None) -> bool:
        """Load the member's stored baseline; True when it is fresh enough to skip capture."""
        self.stored_baseline = None
        found = self._member_store(member)
        if found is None:
            return False
        store, member_id = found
        try:
            data = fresh_baseline(
                store.load_baseline(member_id),
                self.wall_clock(),
                self.config.progression.baseline_max_age_days,
            )
            if data is not None:
                self.stored_baseline = Baseline.from_dict(data)
        except Exception as exc:
            self.on_error(f"stored baseline: {exc}")
            self.stored_baseline = None
        logger.info(
            "member %s: %s",
            member_id,
            "fresh stored baseline" if self.stored_baseline else "baseline to capture",
        )
        return self.stored_baseline is not None

    # -- session start -------------------------------------------------------------------

    def plan(self, member: Member | None) -> tuple[SessionPlan, str]:
        """The program for this member (scaled by progression), and the suggestion text."""
        plan = SessionPlan.from_config(self.config)
        found = self._member_store(member)
        if found is None:
            return plan, ""
        store, member_id = found
        try:
            history = store.list_sessions(member_id, statuses=FINISHED_BY_MEMBER)
            record = store.get_member(member_id)
            level = getattr(record, "level", None)
            suggestion = suggest_next(history, level, self.config.progression)
            plan = plan.scaled(suggestion.backward_minutes)
            if suggestion.incline_percent > 0:
                plan = with_incline(plan, suggestion.incline_percent)
            if suggestion.intervals:
                plan = plan.with_intervals()
            logger.info("plan for %s: %s", member_id, plan.describe())
            return plan, suggestion.text
        except Exception as exc:
            self.on_error(f"progression: {exc}")
            return plan, ""

    def begin(
        self, member: Member | None, now: float, baseline: str, record: bool = True
    ) -> SessionRun:
        """Start a session; ``baseline`` is "stored", "captured" or "none" (absolute limits).

        ``record`` False (the demo clip): coached as usual, nothing written.
        """
        vision = self.vision
        if baseline == "stored" and self.stored_baseline is not None:
            vision.set_baseline(self.stored_baseline)
        elif baseline == "none":
            vision.set_baseline(None)
        self._baseline_saved = baseline != "captured"
        if baseline == "captured":
            self._save_captured_baseline(member)
        hidden_lean = self._neutral_baseline()
        vision.reset_session()
        prepared = self._prepared_for(member)
        if prepared is not None:
            plan, previous = prepared.plan, prepared.previous_summary
        else:  # a guest: the plain program, nothing to look up
            plan, previous = SessionPlan.from_config(self.config), None
        recorder = None
        if record:  # without a database yet, the writer holds the rows until one opens
            try:
                from kiosk.session.recorder import SessionRecorder

                recorder = SessionRecorder(
                    self.store, station_id=self.config.station.id, on_error=self.on_record_error
                )
            except Exception as exc:
                self.on_error(f"recorder: {exc}")
        member_id = member.member_id if member else None
        self.last_summary = previous
        run = SessionRun(
            self.config,
            plan,
            member.name if member else "Guest",
            recorder,
            member_id,
            on_block=self._block_changed,
            baseline=baseline,
            baseline_kind=getattr(getattr(vision, "baseline", None), "kind", None),
            hidden_lean_deg=hidden_lean,
            placement=self._placement_in_force() if recorder is not None else None,
            machine=session_tracker(
                self.machine_links,
                self.config.treadmill,
                prepared.birth_year if prepared else None,
                self.wall_clock(),
            ),
        )
        set_incline = getattr(vision, "set_incline", None)
        if callable(set_incline):
            run.on_incline = set_incline  # the deck's incline as the treadmill reports it
        set_walking = getattr(vision, "set_walking", None)
        if callable(set_walking):
            run.on_walking = set_walking  # drift ends follow each block's direction
        run.start(now)
        return run

    def _placement_in_force(self) -> dict[str, object] | None:
        """The station's last placement check (`backstep doctor --placement`), for the record."""
        from kiosk.store.connection import resolve_data_dir
        from kiosk.store.placement_state import load_placement

        record = load_placement(resolve_data_dir(self.config.storage))
        return None if record is None else record.event_data()

    def _neutral_baseline(self) -> float | None:
        """Judge from the neutral band's edge a baseline taken leaning (see
        `vision.metrics.baseline.neutral_baseline`); returns the lean it hid, if any."""
        current = getattr(self.vision, "baseline", None)
        if not isinstance(current, Baseline):
            return None
        neutral, hidden = neutral_baseline(current, self.config.posture.neutral_band_deg)
        if hidden is not None:
            self.vision.set_baseline(neutral)
        return hidden

    def _block_changed(self, block: PlannedBlock) -> None:
        # the posture limits allow for the deck's grade (Kachanathu 2016 walked at 10%)
        self.vision.set_incline(block.incline_percent or 0.0)

    def _save_captured_baseline(self, member: Member | None) -> None:
        """Store the baseline just collected for the member (guests never store one)."""
        if self._baseline_saved:
            return
        found = self._member_store(member)
        captured = getattr(self.vision, "baseline", None)
        if found is None or captured is None:
            return
        store, member_id = found
        data, saved_at = captured.to_dict(), self.wall_clock()
        self._baseline_saved = True

        def save() -> None:
            try:
                store.save_baseline(member_id, data, saved_at)
                logger.info("standing baseline saved for member %s", member_id)
            except Exception as exc:
                self.on_error(f"saving the baseline: {exc}")

        if self.defer is not None:
            self.defer(save)
        else:
            save()

    def _previous_summary(self, member: Member | None) -> dict[str, Any] | None:
        found = self._member_store(member)
        if found is None:
            return None
        store, member_id = found
        try:
            sessions = store.list_sessions(
                member_id, statuses=FINISHED_BY_MEMBER, limit=1, newest_first=True
            )
            return sessions[0].summary if sessions else None
        except Exception as exc:
            self.on_error(f"history: {exc}")
            return None

    def _bests(self, member: Member | None) -> dict[str, float]:
        found = self._member_store(member)
        if found is None:
            return {}
        store, member_id = found
        try:
            sessions = store.list_sessions(member_id, statuses=FINISHED_BY_MEMBER)
            return personal_bests(s.summary for s in sessions)
        except Exception as exc:
            self.on_error(f"history: {exc}")
            return {}

    # -- session end ---------------------------------------------------------------------

    def end(
        self, run: SessionRun, member: Member | None, now: float, status: str | None = None
    ) -> SummaryView:
        """Finish ``run`` (completed when the plan ran out, else stopped); the summary view.

        ``status`` "interrupted" (a shutdown, a lost camera) keeps it out of progression.
        """
        if status is None:
            status = COMPLETED if run.clock.is_finished else STOPPED
        # a baseline collected while the first frames of the session came in is saved now
        self._save_captured_baseline(member)
        wait_id = None if run.recorder is None else run.recorder.id_waiter()
        summary = run.finish(now, status)
        suggestion = ""
        try:
            outcome = outcome_from_summary(summary)
            prepared = self._prepared_for(member)
            level = prepared.level if prepared is not None else None
            suggestion = suggest_next(
                [outcome] if outcome else [], level, self.config.progression
            ).text
        except Exception as exc:
            self.on_error(f"suggestion: {exc}")
        if run.recorder is not None:
            try:
                run.recorder.close(timeout=0)  # never wait on the disk in the UI loop
                self._closing = [r for r in self._closing if not r.is_written()]
                self._closing.append(run.recorder)
            except Exception:
                logger.exception("recorder close failed")
        p = self.config.posture
        baseline = getattr(self.vision, "baseline", None)
        prepared = self._prepared_for(member)
        view = summary_view(
            summary,
            Limits(
                p.forward_warn_deg,
                p.back_warn_deg,
                p.lateral_warn_deg,
                p.absolute_forward_limit_deg,
                p.absolute_back_limit_deg,
                p.absolute_lateral_limit_deg,
            ),
            self.last_summary,
            suggestion,
            baseline_lean_deg=getattr(baseline, "trunk_lean_deg", None),
            baseline_side_deg=getattr(baseline, "lateral_lean_deg", None),
            bests=prepared.bests if prepared is not None else None,
            cadence_band=(self.config.gait.cadence_min_spm, self.config.gait.cadence_max_spm),
        )
        # issue 22: the member takes the session away on a phone (a one-time LAN link)
        view.takeaway_url = offer_for_session(
            self.config.dashboard,
            wait_id,
            None if self.store is None else self.store.path,
            self.defer,
            time.time(),
        )
        return view

    def _prepared_for(self, member: Member | None) -> PreparedMember | None:
        prepared = self.prepared
        if member is None or prepared is None or prepared.member_id != member.member_id:
            return None
        return prepared

    def close(self, timeout: float = 2.0) -> None:
        """Wait (up to ``timeout`` s each) for ended sessions still being written; at exit."""
        for recorder in self._closing:
            try:
                recorder.close(timeout)
            except Exception:
                logger.exception("recorder close failed")
        self._closing = []


def with_incline(plan: SessionPlan, percent: float) -> SessionPlan:
    """The plan with its backward blocks at (at least) ``percent`` incline."""
    blocks = tuple(
        replace(b, incline_percent=max(b.incline_percent or 0.0, percent)) if b.is_backward else b
        for b in plan.blocks
    )
    return SessionPlan(plan.name, blocks)
