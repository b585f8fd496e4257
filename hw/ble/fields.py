"""A cursor over a little-endian notification: each read checks the bytes are really there."""

from __future__ import annotations

from hw.ble.errors import MalformedPacket


class FieldReader:
    """Reads little-endian integers in order; a read past the end raises `MalformedPacket`."""

    def __init__(self, data: bytes, what: str) -> None:
        self._data = bytes(data)
        self._at = 0
        self._what = what

    @property
    def remaining(self) -> int:
        """Bytes not yet read."""
        return len(self._data) - self._at

    def _take(self, size: int, field: str) -> bytes:
        if self.remaining < size:
            raise MalformedPacket(
                f"{self._what}: {len(self._data)} bytes, {field} needs {size} at offset {self._at}"
            )
        chunk = self._data[self._at : self._at + size]
        self._at += size
        return chunk

    def uint(self, size: int, field: str) -> int:
        """An unsigned little-endian integer of ``size`` bytes."""
        return int.from_bytes(self._take(size, field), "little", signed=False)

    def sint(self, size: int, field: str) -> int:
        """A signed (two's complement) little-endian integer of ``size`` bytes."""
        return int.from_bytes(self._take(size, field), "little", signed=True)
