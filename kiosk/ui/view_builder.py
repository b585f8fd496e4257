"""Assembles each frame's `ViewState` from the controller, the vision status and the session."""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any

from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import KioskController, Screen
from kiosk.session.plans import SessionPlan
from kiosk.session.views import SummaryView
from kiosk.ui.view_state import StaffView, ViewState
from kiosk.ui.welcome import WelcomeView, welcome_view
from kiosk.vision_link.link import StatusFacts, cannot_coach
from vision.types import Frame, FrameResult

logger = logging.getLogger(__name__)


def checkin_methods(config: BackstepConfig) -> tuple[str, ...]:
    """The check-in methods the config switches on, in the order the screen lists them."""
    cfg = config.checkin
    return tuple(m for m in ("card", "qr", "buttons", "guest") if getattr(cfg, m))


def posture_limits(config: BackstepConfig) -> str:
    """The posture limits the analyzer uses, for the staff screen (after a reload too)."""
    p = config.posture
    return (
        f"view {config.camera.view}, forward {p.forward_warn_deg:g}°, "
        f"back {p.back_warn_deg:g}°, side {p.lateral_warn_deg:g}°"
    )


def staff_view(
    facts: StatusFacts,
    *,
    ui_fps: float,
    pose_fps: float,
    config_path: Path | None,
    errors: list[str],
    gpio_warning: str,
    restart_needed: list[str],
    thresholds: str = "",
    warnings: list[str] | None = None,
) -> StaffView:
    """The staff screen's facts: camera, model state and file, speeds, config, errors."""
    return StaffView(
        camera=f"{facts.source or '?'} ({facts.camera})",
        model=facts.model,
        model_path=facts.model_path,
        ui_fps=ui_fps,
        pose_fps=facts.pose_fps or pose_fps,
        dropped_frames=facts.dropped,
        config_path=str(config_path or "(built-in defaults)"),
        errors=list(errors),
        gpio_warning=gpio_warning,
        restart_needed=list(restart_needed),
        cannot_coach=cannot_coach(facts),
        thresholds=thresholds,
        warnings=list(warnings or []),
    )


#: Frames kept so a pose is drawn on the frame it was measured on: at 30 fps, 0.4 s of frames
#: covers a pose pipeline running at 6 fps with a frame or two of queueing.
KEEP_FRAMES = 12


class ViewMemory:
    """What the view builder remembers between frames (the UI thread's, no locks).

    The skeleton used to be drawn on the newest camera frame with an older pose, and sat
    visibly off the body at low pose rates: `pair` keeps the last few frames and hands back
    the one the pose was measured on. It also times how long the camera has been away.
    """

    def __init__(self, keep: int = KEEP_FRAMES) -> None:
        self._frames: deque[Frame] = deque(maxlen=keep)
        self._camera_down_since: float | None = None
        self._welcome: tuple[object, WelcomeView | None] = (None, None)

    def welcome(self, config: BackstepConfig, member: Any, prepared: Any) -> WelcomeView | None:
        """The welcome for the member who just checked in (made once per check-in)."""
        if member is None:
            return None
        key, made = self._welcome
        if key is not member:
            made = welcome_for(config, member, prepared)
            self._welcome = (member, made)
        return made

    def pair(self, newest: Frame | None, result: FrameResult | None) -> Frame | None:
        """The frame ``result`` was measured on when it is still kept, else the newest."""
        if newest is not None and (not self._frames or self._frames[-1].index != newest.index):
            if self._frames and newest.index < self._frames[-1].index:
                self._frames.clear()  # the source was reopened: its indices start again
            self._frames.append(newest)
        if result is None:
            return newest
        for frame in reversed(self._frames):
            if frame.index == result.frame_index:
                return frame
        return newest

    def camera_down_s(self, now: float, camera_state: str) -> float:
        """Seconds the camera has not been delivering ("lost", "ended", "starting")."""
        if camera_state == "ok":
            self._camera_down_since = None
            return 0.0
        if self._camera_down_since is None:
            self._camera_down_since = now
        return now - self._camera_down_since


def welcome_for(config: BackstepConfig, member: Any, prepared: Any) -> WelcomeView | None:
    """The welcome: the plan check-in prepared for this member, or the plain one for guests."""
    guest = bool(getattr(member, "is_guest", True))
    try:
        if not guest and prepared is not None and prepared.member_id == member.member_id:
            return welcome_view(member.name, prepared.plan, prepared.previous_summary, False)
        if guest:
            return welcome_view("Guest", SessionPlan.from_config(config), None, True)
    except Exception:
        logger.exception("welcome not built")
    return None


def build_view(
    *,
    now: float,
    config: BackstepConfig,
    controller: KioskController,
    facts: StatusFacts,
    frame: Frame | None,
    result: FrameResult | None,
    session: Any,
    summary: SummaryView | None,
    staff: StaffView,
    memory: ViewMemory | None = None,
    members: Any = None,
) -> ViewState:
    """Everything the current screen may draw, as plain data.

    With a ``memory`` the pose is drawn on the frame it was measured on, the view says how
    long the camera has been away, and (with ``members``, the app's `MemberSessions`) the
    position screen welcomes the member with today's plan.
    """
    c = controller
    if memory is not None:
        frame = memory.pair(frame, result)
    pose = None if result is None else (result.smoothed or result.pose)
    snap = c.vision
    zone = config.zone
    member = c.member
    view = ViewState(
        screen=c.screen,
        now=now,
        station=config.station.name,
        member_name=member.name if member else "Guest",
        frame=None if frame is None else frame.image,
        frame_index=-1 if frame is None else frame.index,
        mirror=config.camera.mirror,
        landmarks=None if pose is None else pose.image,
        others=[] if result is None else [p.image for p in result.others],
        posture=None if result is None else result.metrics.posture,
        zone=(zone.x0, zone.y0, zone.x1, zone.y1),
        camera_state=facts.camera,
        camera_message=facts.last_error or "",
        camera_down_s=0.0 if memory is None else memory.camera_down_s(now, facts.camera),
        walking=result is not None and result.metrics.cadence_spm is not None,
        whole_body=snap.whole_body,
        in_zone=snap.in_zone,
        side_view=snap.side_view,
        detected_view=snap.view,
        expected_view=config.camera.view,
        person=snap.person,
        ready_fraction=c.position_ready_fraction(now),
        baseline_progress=snap.baseline_progress,
        baseline_walking=snap.baseline_walking,
        baseline_seconds=config.posture.baseline_seconds,
        screen_seconds=c.seconds_on_screen(now),
        controller=c,
        safety_reason=c.safety_reason,
        checkin_methods=checkin_methods(config),
        summary=summary,
        staff=staff,
    )
    if memory is not None and c.screen is Screen.POSITION:
        view.welcome = memory.welcome(config, member, getattr(members, "prepared", None))
    if session is not None:
        view.session = session.view(now)
        view.cue = session.cue_view()
    return view
