"""The kiosk's domain words, defined once below the store: members, check-in methods, outcomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

#: How a member said who they are (``guest``: nobody, a guest session).
CheckinMethod = Literal["qr", "card", "buttons", "guest"]

#: A stored session's state: live ("active"), or how it ended.
SessionStatus = Literal["active", "completed", "stopped", "interrupted"]
#: The plan ran out: the member walked the whole session.
COMPLETED: SessionStatus = "completed"
#: The member pressed stop before the plan ran out.
STOPPED: SessionStatus = "stopped"
#: Ended by something other than the member (a shutdown, a crash, a lost camera).
INTERRUPTED: SessionStatus = "interrupted"
#: Every way a session ends (a live one is "active").
FINISHED_STATUSES: tuple[SessionStatus, ...] = (COMPLETED, STOPPED, INTERRUPTED)
#: The endings that say something about the member (progression reads only these).
FINISHED_BY_MEMBER: tuple[SessionStatus, ...] = (COMPLETED, STOPPED)


@dataclass(frozen=True, slots=True)
class Member:
    """A gym member known to the station; ``expires`` is the last valid day (inclusive)."""

    id: str
    name: str
    expires: dt.date
    level: int | None = None
    #: for heart-rate zones (issue 27); optional, never required
    birth_year: int | None = None

    def is_expired(self, today: dt.date) -> bool:
        """True when the membership ended before ``today``."""
        return today > self.expires


def sql_in(statuses: tuple[SessionStatus, ...]) -> str:
    """``('completed', 'stopped')``: a status list for an SQL ``IN`` (fixed words, no input)."""
    return "(" + ", ".join(f"'{s}'" for s in statuses) + ")"
