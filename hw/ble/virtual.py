"""A virtual Bluetooth LE air (bumble, a development dependency): for the tests and the bench.

A `VirtualAir` runs bumble's `LocalLink` and every virtual device on its own asyncio loop in
one worker thread (bumble's link delivers packets through the running loop, so all devices
must share it). On it: a virtual FTMS treadmill and a virtual heart-rate strap (real GATT
servers, advertising by name) and `AirCentral`, a `hw.ble.central.Central` on a virtual
controller, which the links connect through exactly as they do through BlueZ.

bumble is not a runtime dependency: nothing on the station imports this module. The tests
import it, and so does ``backstep bench --links virtual`` after checking that bumble is
installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from bumble import data_types
from bumble.controller import Controller
from bumble.core import UUID, AdvertisingData
from bumble.device import Connection, Device, DeviceConfiguration, Peer
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from hw.ble.central import Peripheral, SeenDevice
from hw.ble.errors import BluetoothError, DeviceNotFound
from hw.ble.ftms import FTMS_SERVICE_UUID, TREADMILL_DATA_UUID
from hw.ble.heart_rate import HEART_RATE_MEASUREMENT_UUID, HEART_RATE_SERVICE_UUID
from vision.threads import WorkerThread

T = TypeVar("T")

#: FTMS Fitness Machine Control Point: what a kiosk must never write to
CONTROL_POINT_UUID = "00002ad9-0000-1000-8000-00805f9b34fb"


#: Treadmill Data flags: speed (bit 0 clear), total distance (bit 2), incline and ramp (bit 3),
#: elapsed time (bit 10): what a console typically sends once a second
_TREADMILL_FLAGS = (1 << 2) | (1 << 3) | (1 << 10)


def treadmill_data(speed_kmh: float, distance_m: int, incline_pct: float, elapsed_s: int) -> bytes:
    """A Treadmill Data notification as a console sends it (FTMS units)."""
    return (
        struct.pack("<HH", _TREADMILL_FLAGS, round(speed_kmh * 100))
        + distance_m.to_bytes(3, "little")
        + struct.pack("<hhH", round(incline_pct * 10), 0, elapsed_s)
    )


def heart_rate_measurement(bpm: int, rr_s: float) -> bytes:
    """A Heart Rate Measurement as a strap sends it: uint8 bpm, contact, one RR interval."""
    return bytes([0x16, bpm]) + round(rr_s * 1024).to_bytes(2, "little")


def _uuid16(uuid: str) -> UUID:
    """The 16-bit form of a Bluetooth SIG UUID (0000xxxx-0000-1000-8000-00805f9b34fb)."""
    return UUID.from_16_bits(int(uuid[4:8], 16))


class VirtualAir:
    """One in-process radio: a loop thread, a link, and the devices on it."""

    def __init__(self) -> None:
        self.link = LocalLink()
        self.loop = asyncio.new_event_loop()
        self._worker = WorkerThread(self.loop.run_forever, "backstep-virtual-air", 5.0)
        self._worker.start()
        self._controllers = 0

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run ``coro`` on the air's loop; a future any thread may wait on."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 10.0) -> T:
        """Run ``coro`` on the air's loop and wait for its result (from a test thread)."""
        return self.submit(coro).result(timeout_s)

    def device(self, name: str, address: str, services: list[Service] | None = None) -> Device:
        """A powered-on device on the air, advertising ``name`` and its services when asked to."""
        self._controllers += 1
        index = self._controllers

        async def build() -> Device:
            # bumble's controllers need the running loop they will live on
            controller = Controller(f"C{index}", link=self.link, public_address=address)
            config = DeviceConfiguration(
                name=name,
                address=Address(address),
                advertising_data=bytes(
                    AdvertisingData(
                        [
                            data_types.CompleteLocalName(name),
                            data_types.CompleteListOf16BitServiceUUIDs(
                                [_uuid16(str(s.uuid)) for s in services or []]
                            ),
                        ]
                    )
                ),
            )
            device = Device(config=config, host=Host(controller, AsyncPipeSink(controller)))
            for service in services or []:
                device.add_service(service)
            await device.power_on()
            return device

        return self.run(build())

    def treadmill(
        self, name: str = "Virtual Treadmill", address: str = "F1:00:00:00:00:01"
    ) -> VirtualPeer:
        """A treadmill publishing FTMS Treadmill Data, with a control point that records writes.

        A real console's control point (0x2AD9) starts, stops and sets the belt; the virtual
        one only records what is written to it, so a test can prove nothing ever is.
        """
        data = Characteristic(
            TREADMILL_DATA_UUID, Characteristic.Properties.NOTIFY, Characteristic.READABLE, b""
        )
        writes: list[bytes] = []
        control_point = Characteristic(
            CONTROL_POINT_UUID,
            Characteristic.Properties.WRITE | Characteristic.Properties.INDICATE,
            Characteristic.WRITEABLE,
            CharacteristicValue(write=lambda _connection, value: writes.append(bytes(value))),
        )
        device = self.device(name, address, [Service(FTMS_SERVICE_UUID, [data, control_point])])
        return VirtualPeer(self, device, data, writes)

    def strap(self, name: str = "Virtual Strap", address: str = "F1:00:00:00:00:02") -> VirtualPeer:
        """A chest strap publishing Heart Rate Measurement."""
        hrm = Characteristic(
            HEART_RATE_MEASUREMENT_UUID,
            Characteristic.Properties.NOTIFY,
            Characteristic.READABLE,
            b"",
        )
        device = self.device(name, address, [Service(HEART_RATE_SERVICE_UUID, [hrm])])
        return VirtualPeer(self, device, hrm)

    def central(self, address: str) -> AirCentral:
        """A `Central` on its own virtual controller (one per link, as each connects alone)."""
        return AirCentral(self, self.device("Backstep", address))

    def close(self) -> None:
        """Cancel what still runs on the air (advertising restarts), then stop the loop."""

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_the_rest())

        def wake() -> None:
            self.loop.call_soon_threadsafe(self.loop.stop)

        self._worker.stop(wake=wake)
        self.loop.close()


class VirtualPeer:
    """A virtual peripheral: advertise, notify, drop its links, come back."""

    def __init__(
        self,
        air: VirtualAir,
        device: Device,
        characteristic: Characteristic,
        control_point_writes: list[bytes] | None = None,
    ) -> None:
        self.air = air
        self.device = device
        self.characteristic = characteristic
        #: every write to the treadmill's FTMS control point (must stay empty)
        self.control_point_writes = control_point_writes if control_point_writes is not None else []

    @property
    def address(self) -> str:
        """The address a central connects to."""
        return str(self.device.random_address).split("/")[0]

    def advertise(self) -> None:
        """Advertise (connectable), again after each link ends, as a treadmill's console does."""
        self.air.run(self.device.start_advertising(auto_restart=True))

    def notify(self, value: bytes) -> None:
        """Send ``value`` to every subscribed central."""
        self.air.run(self.device.notify_subscribers(self.characteristic, value))

    def notify_every(self, period_s: float, value: Callable[[int], bytes]) -> Future[None]:
        """Send ``value(n)`` (n = 0, 1, ...) every ``period_s`` from the air's own loop.

        On a fixed schedule, as a console's or a strap's timer sends, whether or not anyone
        reads; cancel the returned future to stop.
        """

        async def beat() -> None:
            loop = asyncio.get_running_loop()
            due = loop.time()
            n = 0
            while True:
                await self.device.notify_subscribers(self.characteristic, value(n))
                n += 1
                due += period_s
                await asyncio.sleep(max(0.0, due - loop.time()))

        return self.air.submit(beat())

    @property
    def connected(self) -> bool:
        """True while a central holds a link."""
        return bool(self.device.connections)

    def drop(self) -> None:
        """Go away: stop advertising and break every link (a console switched off).

        `advertise` brings it back.
        """

        async def drop() -> None:
            await self.device.stop_advertising()
            for connection in list(self.device.connections.values()):
                await connection.disconnect()

        self.air.run(drop())


class _AirPeripheral:
    def __init__(self, air: VirtualAir, connection: Connection) -> None:
        self._air = air
        self._connection = connection
        self._gone: asyncio.Future[None] = air.loop.create_future()
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)

    def _on_disconnection(self, *_: object) -> None:
        if not self._gone.done():
            self._gone.set_result(None)

    async def _on_air(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(self._air.submit(coro))

    async def subscribe(self, uuid: str, on_value: Callable[[bytes], None]) -> None:
        async def subscribe() -> None:
            peer = Peer(self._connection)
            await peer.discover_services()
            found = await peer.discover_characteristics(uuids=[UUID(uuid)])
            if not found:
                raise BluetoothError(f"no characteristic {uuid}")
            await peer.subscribe(found[0], lambda value: on_value(bytes(value)))

        await self._on_air(subscribe())

    async def wait_disconnected(self) -> None:
        async def gone() -> None:
            # shielded: a link that stops waiting must not cancel the disconnection's future
            await asyncio.shield(self._gone)

        await self._on_air(gone())

    async def disconnect(self) -> None:
        async def disconnect() -> None:
            if not self._gone.done():
                await self._connection.disconnect()

        with contextlib.suppress(Exception):  # already gone
            await self._on_air(disconnect())


class AirCentral:
    """`hw.ble.central.Central` on a virtual controller of a `VirtualAir`."""

    def __init__(self, air: VirtualAir, device: Device) -> None:
        self._air = air
        self._device = device

    async def _scan_for(self, target: str, timeout_s: float) -> SeenDevice | None:
        found: asyncio.Future[SeenDevice] = self._air.loop.create_future()

        def on_advertisement(adv: Any) -> None:
            name = adv.data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or ""
            address = str(adv.address).split("/")[0]
            if target in (name, address) and not found.done():
                found.set_result(SeenDevice(address, name))

        self._device.on(self._device.EVENT_ADVERTISEMENT, on_advertisement)
        await self._device.start_scanning()
        try:
            return await asyncio.wait_for(found, timeout_s)
        except TimeoutError:
            return None
        finally:
            self._device.remove_listener(self._device.EVENT_ADVERTISEMENT, on_advertisement)
            await self._device.stop_scanning()

    async def find(self, target: str, timeout_s: float) -> SeenDevice | None:
        """The device with this address or name, if it advertises within ``timeout_s``."""
        return await asyncio.wrap_future(self._air.submit(self._scan_for(target, timeout_s)))

    async def nearby(self, service_uuid: str, timeout_s: float) -> list[SeenDevice]:
        """Every device advertising ``service_uuid`` during ``timeout_s``."""
        wanted = _uuid16(service_uuid)

        async def scan() -> list[SeenDevice]:
            seen: dict[str, SeenDevice] = {}

            def on_advertisement(adv: Any) -> None:
                uuids = adv.data.get(AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS)
                if uuids and wanted in uuids:
                    address = str(adv.address).split("/")[0]
                    name = adv.data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or ""
                    seen[address] = SeenDevice(address, name)

            self._device.on(self._device.EVENT_ADVERTISEMENT, on_advertisement)
            await self._device.start_scanning()
            await asyncio.sleep(timeout_s)
            self._device.remove_listener(self._device.EVENT_ADVERTISEMENT, on_advertisement)
            await self._device.stop_scanning()
            return sorted(seen.values(), key=lambda d: d.address)

        return await asyncio.wrap_future(self._air.submit(scan()))

    async def connect(self, target: str, timeout_s: float) -> Peripheral:
        """Scan for ``target`` (address or name), then connect."""

        async def connect() -> _AirPeripheral:
            seen = await self._scan_for(target, timeout_s)
            if seen is None:
                raise DeviceNotFound(f"{target} not seen within {timeout_s:g} s")
            connection = await self._device.connect(Address(seen.address), timeout=timeout_s)
            return _AirPeripheral(self._air, connection)

        return await asyncio.wrap_future(self._air.submit(connect()))
