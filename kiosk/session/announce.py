"""A cue as it reaches the sound player, the voice and the session record."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CueAnnouncement:
    """One cue that went up or sounded: what was said, how firmly, in which block.

    ``tone`` is the sound to play (`kiosk.ui.sound.TONES`; None = shown silently: the same
    words sounded less than ``cues.reminder_every_s`` ago), ``level`` the
    `kiosk.session.cue_catalog.CueLevel`, ``direction`` how the block is walked
    ("backward" / "forward", None in a rest), ``reminder`` True when the cue was already up.
    """

    at: float
    key: str
    text: str
    level: str
    tone: str | None
    block_index: int
    block: str
    direction: str | None
    reminder: bool = False
    #: what the voice says ("" = ``text``): the catalog's phrase when the banner has numbers
    spoken: str = ""

    @property
    def words(self) -> str:
        """The words to speak."""
        return self.spoken or self.text

    def record(self) -> dict[str, Any]:
        """The session record's ``cue`` event data (JSON-ready; the time is the event's)."""
        data = asdict(self)
        del data["at"]
        data["sounded"] = data.pop("tone") is not None
        data["tone"] = self.tone
        return data
