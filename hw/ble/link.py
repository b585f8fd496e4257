"""Links that keep a device's latest values in their own thread: the UI loop never waits on radio.

Each link runs an asyncio loop in a `WorkerThread` (``backstep-treadmill``,
``backstep-heart-rate``): connect, subscribe to one characteristic, parse each notification,
keep the latest values behind a lock; when the device goes away, wait (1 s, doubling up
to 30 s) and connect again, for ever, until `close`. A notification the parser refuses is
counted and dropped. Reading `latest` or `status` costs a lock and a copy, nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Generic, Literal, Self, TypeVar

from hw.ble.central import BleakCentral, Central
from hw.ble.errors import LinkStopped, MalformedPacket
from hw.ble.ftms import TREADMILL_DATA_UUID, TreadmillData, parse_treadmill_data
from hw.ble.heart_rate import (
    HEART_RATE_MEASUREMENT_UUID,
    HeartRateMeasurement,
    parse_heart_rate_measurement,
)
from hw.ble.settings import HeartRateConfig, TreadmillConfig
from vision.retry import Backoff
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

P = TypeVar("P")
T = TypeVar("T")

KM_PER_MILE = 1.609344
#: A link up at least this long was a real one: the next attempt comes at once. One lost
#: sooner (a device that breaks every link) is retried with the backoff, not in a loop.
STEADY_S = 10.0
#: Notifications parsed per second at most, after a burst of ``FLOOD_BURST``: a treadmill
#: sends 1-10 a second (a state split over 2-3 packets), a strap one a beat. A device that
#: sends more (broken or hostile, 1000 a second) has the rest dropped unread: parsing them
#: would take the GIL from the pose loop (50 of the longest strap packets, 200 RR
#: intervals, take about 5 ms a second).
FLOOD_RATE_HZ = 50.0
FLOOD_BURST = 20.0


@dataclass(frozen=True)
class LinkStatus:
    """How a link is doing, for the doctor, the staff screen and the logs."""

    connected: bool
    connects: int  # successful connections so far (a reconnect adds one)
    drops: int  # links lost after being up
    packets: int  # notifications parsed
    malformed: int  # notifications refused by the parser, dropped
    last_error: str = ""
    dropped: int = 0  # notifications past the flood limit, dropped unread


@dataclass(frozen=True)
class TreadmillReading(TreadmillData):
    """The treadmill's latest value of every field, each from the last packet that carried it."""

    connected: bool = False
    #: clock time of the last parsed packet; None before the first
    updated_at: float | None = None
    #: clock time of the last packet with the heart-rate field (a value or "none"): a console
    #: that stops sending it must not keep its last bpm fresh through its speed packets
    heart_rate_at: float | None = None

    def speed(self, units: Literal["mph", "km/h"]) -> float | None:
        """The belt speed in the staff file's units (FTMS sends km/h)."""
        if self.speed_kmh is None:
            return None
        return self.speed_kmh / KM_PER_MILE if units == "mph" else self.speed_kmh


@dataclass(frozen=True)
class HeartRateReading:
    """The strap's latest measurement."""

    bpm: int | None = None
    contact: bool | None = None
    rr_intervals_s: tuple[float, ...] = ()
    connected: bool = False
    updated_at: float | None = None


class NotifyLink(Generic[P]):
    """One device, one notified characteristic, reconnecting by itself; subclasses keep values.

    A subclass names its characteristic (`CHARACTERISTIC`), its parser (`parse`) and its
    thread (`THREAD`), and keeps what each notification carries (`_keep`).
    """

    CHARACTERISTIC: str
    THREAD: str

    @staticmethod
    def parse(data: bytes) -> P:
        """One notification's fields; raises `MalformedPacket` when it is too short."""
        raise TypeError("a link subclass names its parser")

    def __init__(
        self,
        central: Central,
        target: str,
        connect_timeout_s: float = 10.0,
        backoff_min_s: float = 1.0,
        backoff_max_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self._central = central
        self._connect_timeout_s = connect_timeout_s
        self._backoff_min_s = backoff_min_s
        self._backoff_max_s = backoff_max_s
        self._clock = clock
        self._lock = threading.Lock()
        self._status = LinkStatus(False, 0, 0, 0, 0)
        # the flood limit's token bucket (only the notification callback's thread uses it)
        self._tokens, self._tokens_at, self._dropped = FLOOD_BURST, clock(), 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._worker = WorkerThread(self._run, f"backstep-{self.THREAD}", join_timeout_s=3.0)

    # -- called from the UI thread ------------------------------------------------------

    def start(self) -> None:
        """Start the link's thread (once)."""
        self._worker.start()

    def close(self) -> None:
        """Drop the link and stop the thread; idempotent."""
        self._worker.stop(wake=self._wake_up)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def status(self) -> LinkStatus:
        """A copy of the link's counters and state."""
        with self._lock:
            return replace(self._status, dropped=self._dropped)

    # -- the link's own thread ----------------------------------------------------------

    def _keep(self, parsed: P, at: float) -> None:
        """Fold one parsed packet into the latest values (called under the lock)."""
        raise NotImplementedError

    def _set_connected(self, connected: bool) -> None:
        """Mark the latest values live or stale (called under the lock)."""
        raise NotImplementedError

    def _on_value(self, data: bytes) -> None:
        now = self._clock()
        refill = max(0.0, now - self._tokens_at) * FLOOD_RATE_HZ
        tokens = min(FLOOD_BURST, self._tokens + refill)
        self._tokens_at = now
        if tokens < 1.0:
            self._tokens = tokens
            if not self._dropped:
                logger.warning(
                    "%s: more than %g notifications a second: dropping the rest",
                    self.target,
                    FLOOD_RATE_HZ,
                )
            self._dropped += 1
            return
        self._tokens = tokens - 1.0
        try:
            parsed = self.parse(data)
        except MalformedPacket as exc:
            logger.debug("%s: %s", self.target, exc)
            with self._lock:
                self._status = replace(self._status, malformed=self._status.malformed + 1)
            return
        with self._lock:
            self._keep(parsed, now)
            self._status = replace(self._status, packets=self._status.packets + 1)

    def _wake_up(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(wake.set)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _unless_stopped(self, aw: Awaitable[T]) -> T:
        """Await ``aw`` unless `close` comes first (then cancel it and raise `LinkStopped`)."""
        assert self._wake is not None
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            raise LinkStopped
        return task.result()  # raises what the awaitable raised

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._worker.stopping.is_set():
            return
        backoff = Backoff(self._backoff_min_s, self._backoff_max_s)
        try:
            while True:
                try:
                    up_s = await self._session()
                    if up_s >= STEADY_S:
                        backoff.reset()  # it was up a while: the next attempt is quick
                        continue
                    why = f"link lost {up_s:.1f} s after connecting"  # not in a tight loop
                except LinkStopped:
                    raise
                except (Exception, asyncio.CancelledError) as exc:
                    # any stack error: log, back off, try again; a device gone in the middle
                    # of discovery cancels the stack's own operation (CancelledError), which
                    # must not end this thread: only our own cancellation does
                    task = asyncio.current_task()
                    if isinstance(exc, asyncio.CancelledError) and (
                        task is None or task.cancelling()
                    ):
                        raise
                    why = str(exc) or type(exc).__name__
                delay = backoff.next()
                logger.info("%s: %s (retrying in %.0f s)", self.target, why, delay)
                with self._lock:
                    self._status = replace(self._status, last_error=why)
                await self._unless_stopped(asyncio.sleep(delay))
        except LinkStopped:
            logger.debug("%s link closed", self.target)

    async def _session(self) -> float:
        """Connect, subscribe, and wait until the link is lost (returns the seconds it was
        up) or closed (raises)."""
        peer = await self._unless_stopped(
            asyncio.wait_for(
                self._central.connect(self.target, self._connect_timeout_s),
                self._connect_timeout_s * 2,
            )
        )
        try:
            # bounded: a device gone in the middle of discovery may leave the stack's request
            # unanswered for ever, and the link would wait on it, neither up nor retrying
            await self._unless_stopped(
                asyncio.wait_for(
                    peer.subscribe(self.CHARACTERISTIC, self._on_value),
                    self._connect_timeout_s * 2,
                )
            )
            with self._lock:
                self._set_connected(True)
                s = self._status
                self._status = replace(s, connected=True, connects=s.connects + 1)
            logger.info("%s connected", self.target)
            up_at = time.monotonic()
            await self._unless_stopped(peer.wait_disconnected())
            logger.warning("%s disconnected; reconnecting", self.target)
            return time.monotonic() - up_at
        finally:
            with self._lock:
                was_up = self._status.connected
                self._set_connected(False)
                s = self._status
                self._status = replace(s, connected=False, drops=s.drops + was_up)
            await peer.disconnect()


class TreadmillLink(NotifyLink[TreadmillData]):
    """A treadmill's FTMS Treadmill Data, read-only, in thread ``backstep-treadmill``."""

    CHARACTERISTIC = TREADMILL_DATA_UUID
    THREAD = "treadmill"
    parse = staticmethod(parse_treadmill_data)
    _reading = TreadmillReading()  # replaced, never changed in place

    @classmethod
    def from_config(cls, cfg: TreadmillConfig, central: Central | None = None) -> TreadmillLink:
        """The link ``[treadmill]`` asks for, through BlueZ unless another central is given."""
        return cls(
            central or BleakCentral(),
            cfg.device,
            connect_timeout_s=cfg.connect_timeout_s,
            backoff_max_s=cfg.reconnect_max_s,
        )

    def latest(self) -> TreadmillReading:
        """The latest value of each field (a copy; never waits on Bluetooth)."""
        with self._lock:
            return self._reading

    def _keep(self, parsed: TreadmillData, at: float) -> None:
        # a treadmill may split its state over several packets: keep what each one carries
        present: dict[str, float | int | None] = dict(parsed.present())
        present.update(dict.fromkeys(parsed.withheld))  # "not available" now: forget the old
        heart_at = at if "heart_rate_bpm" in present else self._reading.heart_rate_at
        self._reading = replace(
            self._reading,
            **present,  # type: ignore[arg-type]
            updated_at=at,
            heart_rate_at=heart_at,
        )

    def _set_connected(self, connected: bool) -> None:
        self._reading = replace(self._reading, connected=connected)


class HeartRateLink(NotifyLink[HeartRateMeasurement]):
    """A strap's Heart Rate Measurement, in thread ``backstep-heart-rate``."""

    CHARACTERISTIC = HEART_RATE_MEASUREMENT_UUID
    THREAD = "heart-rate"
    parse = staticmethod(parse_heart_rate_measurement)
    _reading = HeartRateReading()  # replaced, never changed in place

    @classmethod
    def from_config(cls, cfg: HeartRateConfig, central: Central | None = None) -> HeartRateLink:
        """The strap link ``[heart_rate]`` asks for (not for device = "treadmill")."""
        if cfg.from_treadmill:
            raise ValueError('heart_rate.device = "treadmill": read TreadmillLink.latest()')
        return cls(
            central or BleakCentral(),
            cfg.device,
            connect_timeout_s=cfg.connect_timeout_s,
            backoff_max_s=cfg.reconnect_max_s,
        )

    def latest(self) -> HeartRateReading:
        """The latest measurement (a copy; never waits on Bluetooth)."""
        with self._lock:
            return self._reading

    def _keep(self, parsed: HeartRateMeasurement, at: float) -> None:
        self._reading = HeartRateReading(
            parsed.bpm, parsed.contact, parsed.rr_intervals_s, self._reading.connected, at
        )

    def _set_connected(self, connected: bool) -> None:
        self._reading = replace(self._reading, connected=connected)
