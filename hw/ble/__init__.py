"""Bluetooth LE, read-only: a treadmill's FTMS data and a heart-rate strap's measurements."""
