"""The Bluetooth tests' virtual radio, one per test."""

from support.ble_air import air  # noqa: F401
