"""One module per kiosk screen; ``build_screens`` makes them all for one screen size."""

from __future__ import annotations

from kiosk.mirror import MirrorView
from kiosk.screens.base import BaseScreen
from kiosk.screens.baseline import BaselineScreen
from kiosk.screens.camera_lost import CameraLostScreen
from kiosk.screens.checkin import CheckinRejectedScreen, CheckinScreen
from kiosk.screens.idle import IdleScreen
from kiosk.screens.pause import PauseScreen
from kiosk.screens.position import PositionScreen
from kiosk.screens.safety import SafetyScreen
from kiosk.screens.session import SessionScreen
from kiosk.screens.staff import StaffScreen
from kiosk.screens.summary import SummaryScreen
from kiosk.states import Screen
from kiosk.theme import Theme

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
