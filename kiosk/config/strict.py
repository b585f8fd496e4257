"""The one strictness every staff-file section shares: unknown keys and bad assignments fail."""

from __future__ import annotations

from pydantic import ConfigDict

STRICT = ConfigDict(extra="forbid", validate_assignment=True)
