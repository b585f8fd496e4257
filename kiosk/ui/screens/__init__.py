"""One module per kiosk screen; ``build_screens`` makes them all for one screen size."""

from __future__ import annotations

from kiosk.flow.machine import Screen
from kiosk.ui.mirror import MirrorView
from kiosk.ui.screens.base import BaseScreen
from kiosk.ui.screens.baseline import BaselineScreen
from kiosk.ui.screens.camera_lost import CameraLostScreen
from kiosk.ui.screens.checkin import CheckinRejectedScreen, CheckinScreen
from kiosk.ui.screens.idle import IdleScreen
from kiosk.ui.screens.pause import PauseScreen
from kiosk.ui.screens.position import PositionScreen
from kiosk.ui.screens.safety import SafetyScreen
from kiosk.ui.screens.session import SessionScreen
from kiosk.ui.screens.staff import StaffScreen
from kiosk.ui.screens.summary import SummaryScreen
from kiosk.ui.theme import Theme

__all__ = ["BaseScreen", "build_screens"]


def build_screens(theme: Theme, mirror: MirrorView | None = None) -> dict[Screen, BaseScreen]:
    """Every screen, sharing one theme and one mirror view (its frame cache)."""
    mirror = mirror or MirrorView()
    classes: dict[Screen, type[BaseScreen]] = {
        Screen.IDLE: IdleScreen,
        Screen.CHECKIN: CheckinScreen,
        Screen.CHECKIN_REJECTED: CheckinRejectedScreen,
        Screen.POSITION: PositionScreen,
        Screen.BASELINE: BaselineScreen,
        Screen.SESSION: SessionScreen,
        Screen.PAUSE: PauseScreen,
        Screen.SAFETY: SafetyScreen,
        Screen.CAMERA_LOST: CameraLostScreen,
        Screen.SUMMARY: SummaryScreen,
        Screen.STAFF: StaffScreen,
    }
    return {screen: cls(theme, mirror) for screen, cls in classes.items()}
