"""The links the staff file asks for, started, read and restarted together (never waited on).

`MachineLinks` holds the treadmill link (``[treadmill] enabled``) and the strap link
(``[heart_rate] enabled`` with a strap's device); ``heart_rate.device = "treadmill"`` reads
the heart-rate field of the treadmill's own data instead of a strap, so it needs the
treadmill link. `read` costs two locks and two copies: the UI loop calls it every step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from hw.ble.central import BleakCentral, Central
from hw.ble.link import HeartRateLink, HeartRateReading, TreadmillLink, TreadmillReading
from hw.ble.settings import HeartRateConfig, TreadmillConfig
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

#: Builds one `Central` per link (bumble's virtual controllers connect one device each).
CentralFactory = Callable[[], Central]


@dataclass(frozen=True, slots=True)
class MachineReadings:
    """What the links hold now; a reading is None when its link is not configured."""

    treadmill: TreadmillReading | None = None
    heart: HeartRateReading | None = None
    #: clock time of the read (a reading is fresh when its ``updated_at`` is close to it)
    at: float = 0.0

    @property
    def configured(self) -> bool:
        """True when at least one link is configured."""
        return self.treadmill is not None or self.heart is not None


class MachineLinks:
    """The station's treadmill and heart-rate links, as ``[treadmill]`` and ``[heart_rate]`` say.

    ``central_factory`` builds the Bluetooth central of each link (bleak on the station,
    bumble's `AirCentral` in the tests).
    """

    def __init__(
        self,
        treadmill: TreadmillConfig,
        heart_rate: HeartRateConfig,
        central_factory: CentralFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._central_factory: CentralFactory = central_factory or BleakCentral
        self._clock = clock
        self._treadmill_cfg = treadmill
        self._heart_cfg = heart_rate
        self.treadmill: TreadmillLink | None = None
        self.heart: HeartRateLink | None = None
        self._heart_from_treadmill = False
        self._closers: list[WorkerThread] = []  # old links being dropped after a reload

    @property
    def configured(self) -> bool:
        """True when a link is (or would be) running."""
        return self.treadmill is not None or self.heart is not None or self._heart_from_treadmill

    def start(self) -> None:
        """Start the links the config asks for (their threads connect in the background)."""
        t, h = self._treadmill_cfg, self._heart_cfg
        if t.enabled:
            self.treadmill = TreadmillLink.from_config(t, self._central_factory())
            self.treadmill.start()
            logger.info("treadmill link started for %s", t.device)
        self._heart_from_treadmill = h.enabled and h.from_treadmill and t.enabled
        if h.enabled and h.from_treadmill and not t.enabled:
            logger.warning('heart_rate.device = "treadmill" needs [treadmill] enabled: no bpm')
        if h.enabled and not h.from_treadmill:
            self.heart = HeartRateLink.from_config(h, self._central_factory())
            self.heart.start()
            logger.info("heart-rate link started for %s", h.device)

    def close(self) -> None:
        """Drop both links and stop their threads (idempotent)."""
        for link in (self.treadmill, self.heart):
            if link is not None:
                link.close()
        for closer in self._closers:
            closer.join(5.0)  # links a reload replaced: their drop ends before we do
        self._closers = []
        self.treadmill = self.heart = None
        self._heart_from_treadmill = False

    def apply(self, treadmill: TreadmillConfig, heart_rate: HeartRateConfig) -> bool:
        """A reloaded config: restart the links when either section changed; True if so.

        Called from the UI loop: the old links are dropped in a thread of their own (a
        disconnection may take BlueZ a few seconds), the new ones start at once.
        """
        if treadmill == self._treadmill_cfg and heart_rate == self._heart_cfg:
            return False
        logger.info("treadmill / heart-rate settings changed: restarting the links")
        old = [link for link in (self.treadmill, self.heart) if link is not None]
        self.treadmill = self.heart = None
        if old:

            def drop_old() -> None:
                for link in old:
                    link.close()

            closer = WorkerThread(drop_old, "backstep-ble-close", join_timeout_s=5.0)
            closer.start()
            self._closers = [c for c in self._closers if c.is_alive] + [closer]
        self._treadmill_cfg, self._heart_cfg = treadmill, heart_rate
        self.start()
        return True

    def read(self) -> MachineReadings:
        """The latest values of both links (copies under their locks; no Bluetooth wait)."""
        tread = self.treadmill.latest() if self.treadmill is not None else None
        heart: HeartRateReading | None = None
        if self.heart is not None:
            heart = self.heart.latest()
        elif self._heart_from_treadmill and tread is not None:
            heart = HeartRateReading(
                bpm=tread.heart_rate_bpm, connected=tread.connected, updated_at=tread.heart_rate_at
            )
        return MachineReadings(tread, heart, self._clock())
