"""Exceptions of the Bluetooth layer; leaves also inherit a builtin so callers may catch either."""

from __future__ import annotations

from hw.errors import HardwareError


class BluetoothError(HardwareError):
    """Root of every error raised by ``hw.ble``."""


class MalformedPacket(BluetoothError, ValueError):
    """A notification too short for the fields its flags announce; counted and ignored."""


class DeviceNotFound(BluetoothError, LookupError):
    """No device with the configured address or name answered a scan in time."""


class NoBluetooth(BluetoothError, RuntimeError):
    """No Bluetooth stack to talk to (no adapter, BlueZ not running, library missing)."""


class LinkStopped(BluetoothError):
    """The link was closed while it waited on the device (ends the link's own loop)."""
