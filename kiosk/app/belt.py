"""The treadmill's belt as an input: it starts a waiting member's session, pauses and resumes."""

from __future__ import annotations

import logging

from hw.ble.links import MachineLinks
from kiosk.flow.effects import Effect
from kiosk.flow.machine import BELT_STARTED, BELT_STOPPED, KioskController
from kiosk.session.machine import MachineRules, MachineTracker

logger = logging.getLogger(__name__)


class BeltWatch:
    """Reads the belt's speed each loop step (a lock and a copy) and tells the controller
    when it starts or stops; only changes are told, so a belt already moving when a
    member checks in starts nothing until it stops and starts again."""

    def __init__(self, links: MachineLinks) -> None:
        self.links = links
        self._tracker = MachineTracker(links.read, MachineRules())
        self._moving: bool | None = None

    def step(self, controller: KioskController, now: float) -> list[Effect]:
        """The controller's effects of a belt that started or stopped since the last step."""
        if self.links.treadmill is None:
            self._moving = None
            return []
        tracker = self._tracker
        tracker.poll(now)
        if tracker.belt_started and self._moving is not True:
            self._moving = True
            logger.info("belt started")
            return controller.on_belt(BELT_STARTED, now)
        if tracker.belt_stopped and self._moving is not False:
            self._moving = False
            logger.info("belt stopped")
            return controller.on_belt(BELT_STOPPED, now)
        return []
