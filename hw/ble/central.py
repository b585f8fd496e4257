"""The one Bluetooth LE protocol the links use, and its station implementation on bleak/BlueZ.

A link never knows which stack it has: on the station `BleakCentral` talks to BlueZ over
D-Bus (Raspberry Pi OS's own Bluetooth daemon keeps the adapter, so pairing a keyboard or
running `bluetoothctl` still works); the tests pass a central built on bumble's in-process
virtual controllers (`hw/ble/virtual.py`). Nothing here can write to a device: the
protocol has no write, so no FTMS control point can be reached through it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hw.ble.errors import BluetoothError, DeviceNotFound, NoBluetooth

logger = logging.getLogger(__name__)

_ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")


def is_address(target: str) -> bool:
    """True when ``target`` is a Bluetooth address (AA:BB:CC:DD:EE:FF), else it is a name."""
    return bool(_ADDRESS.match(target))


@dataclass(frozen=True)
class SeenDevice:
    """A device that answered a scan; its name has no control characters (anyone can
    advertise one: it is shown on the staff screen, in the doctor's terminal and in logs)."""

    address: str
    name: str

    def __post_init__(self) -> None:
        shown = "".join(ch if ch.isprintable() else "?" for ch in self.name)
        object.__setattr__(self, "name", shown)


class Peripheral(Protocol):
    """A connected device, read-only: notifications in, nothing out."""

    async def subscribe(self, uuid: str, on_value: Callable[[bytes], None]) -> None:
        """Call ``on_value`` (from any thread) with each notification of characteristic ``uuid``."""

    async def wait_disconnected(self) -> None:
        """Return when the link to the device is lost."""

    async def disconnect(self) -> None:
        """Drop the link (idempotent)."""


class Central(Protocol):
    """Finds and connects to devices by address or advertised name."""

    async def find(self, target: str, timeout_s: float) -> SeenDevice | None:
        """The device with this address or name, if it advertises within ``timeout_s``."""

    async def connect(self, target: str, timeout_s: float) -> Peripheral:
        """Connect; `DeviceNotFound` if it is not seen, `BluetoothError` if the link fails."""

    async def nearby(self, service_uuid: str, timeout_s: float) -> list[SeenDevice]:
        """Every device advertising ``service_uuid`` during ``timeout_s`` (for pairing)."""


class _BleakPeripheral:
    def __init__(self, client: Any, disconnected: asyncio.Event) -> None:
        self._client = client
        self._disconnected = disconnected

    async def subscribe(self, uuid: str, on_value: Callable[[bytes], None]) -> None:
        await self._client.start_notify(uuid, lambda _char, data: on_value(bytes(data)))

    async def wait_disconnected(self) -> None:
        await self._disconnected.wait()

    async def disconnect(self) -> None:
        try:
            await self._client.disconnect()
        except Exception as exc:  # already gone, or BlueZ restarted: nothing left to drop
            logger.debug("disconnect: %s", exc)


class BleakCentral:
    """`Central` over bleak (BlueZ on Linux); bleak is imported on first use, not at import."""

    async def _device(self, target: str, timeout_s: float) -> Any:
        try:
            from bleak import BleakScanner
        except ImportError as exc:
            raise NoBluetooth(f"bleak is not installed: {exc}") from exc
        try:
            if is_address(target):
                return await BleakScanner.find_device_by_address(target, timeout=timeout_s)
            return await BleakScanner.find_device_by_name(target, timeout=timeout_s)
        except Exception as exc:  # no adapter, BlueZ not running, D-Bus refused
            raise NoBluetooth(f"no BlueZ to talk to ({exc})") from exc

    async def find(self, target: str, timeout_s: float) -> SeenDevice | None:
        """The device with this address or name, if it advertises within ``timeout_s``."""
        device = await self._device(target, timeout_s)
        return None if device is None else SeenDevice(device.address, device.name or "")

    async def nearby(self, service_uuid: str, timeout_s: float) -> list[SeenDevice]:
        """Every device advertising ``service_uuid`` during ``timeout_s`` (for pairing)."""
        try:
            from bleak import BleakScanner
        except ImportError as exc:
            raise NoBluetooth(f"bleak is not installed: {exc}") from exc
        try:
            found = await BleakScanner.discover(
                timeout=timeout_s, service_uuids=[service_uuid], return_adv=True
            )
        except Exception as exc:  # no adapter, BlueZ not running, D-Bus refused
            raise NoBluetooth(f"no BlueZ to talk to ({exc})") from exc
        seen = [
            SeenDevice(device.address, adv.local_name or device.name or "")
            for device, adv in found.values()
        ]
        return sorted(seen, key=lambda d: d.address)

    async def connect(self, target: str, timeout_s: float) -> Peripheral:
        """Connect over BlueZ; `DeviceNotFound` if not seen, `BluetoothError` if it fails."""
        from bleak import BleakClient

        device = await self._device(target, timeout_s)
        if device is None:
            raise DeviceNotFound(f"{target} not seen within {timeout_s:g} s")
        loop = asyncio.get_running_loop()
        disconnected = asyncio.Event()

        def on_disconnect(_client: Any) -> None:
            loop.call_soon_threadsafe(disconnected.set)

        client = BleakClient(device, disconnected_callback=on_disconnect)
        try:
            await client.connect(timeout=timeout_s)
        except Exception as exc:
            raise BluetoothError(f"cannot connect to {target}: {exc}") from exc
        return _BleakPeripheral(client, disconnected)
