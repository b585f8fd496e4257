"""The treadmill's belt as an input: it starts a waiting member's session, pauses and resumes."""

from __future__ import annotations

import logging

from hw.ble.links import MachineLinks
from kiosk.flow.effects import Effect
from kiosk.flow.machine import BELT_STARTED, BELT_STOPPED, KioskController, Screen
from kiosk.session.machine import BELT_STOP_S, MachineRules, MachineTracker

logger = logging.getLogger(__name__)

#: Screens a session resumes from: the belt may have stopped there, unheard.
RESUMED_FROM = (Screen.PAUSE, Screen.SAFETY, Screen.CAMERA_LOST)


class BeltWatch:
    """Reads the belt's speed each loop step (a lock and a copy) and tells the controller
    when it starts or stops; only changes are told, so a belt already moving when a
    member checks in starts nothing until it stops and starts again. A session resumed
    (from a pause, a safety stop, a lost camera) hears the belt's state again: a belt
    stopped meanwhile ("Stop the belt", the safety screen says) pauses it after
    ``BELT_STOP_S`` more, unless the member starts it."""

    def __init__(self, links: MachineLinks) -> None:
        self.links = links
        self._tracker = MachineTracker(links.read, MachineRules())
        self._moving: bool | None = None
        self._screen: Screen | None = None  # the controller's screen at the last step
        self._resumed_at = -1e9

    def step(self, controller: KioskController, now: float) -> list[Effect]:
        """The controller's effects of a belt that started or stopped since the last step."""
        if self.links.treadmill is None:
            self._moving = None
            return []
        screen, before = controller.screen, self._screen
        self._screen = screen
        if screen is Screen.SESSION and before in RESUMED_FROM:
            self._moving, self._resumed_at = None, now  # tell the belt's state again
        tracker = self._tracker
        tracker.poll(now)
        if tracker.belt_started and self._moving is not True:
            self._moving = True
            logger.info("belt started")
            return controller.on_belt(BELT_STARTED, now)
        stopped = tracker.belt_stopped and now - self._resumed_at >= BELT_STOP_S
        if stopped and self._moving is not False:
            self._moving = False
            logger.info("belt stopped")
            return controller.on_belt(BELT_STOPPED, now)
        return []
