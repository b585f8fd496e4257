"""Assembles each frame's `ViewState` from the controller, the vision status and the session."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.config.schema import BackstepConfig
from kiosk.flow.machine import KioskController
from kiosk.session.views import SummaryView
from kiosk.ui.view_state import StaffView, ViewState
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
) -> ViewState:
    """Everything the current screen may draw, as plain data."""
    c = controller
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
    if session is not None:
        view.session = session.view(now)
        view.cue = session.cue_view()
    return view
