"""Member check-in: QR code to the camera, USB card reader, or guest (decisions and input).

Button ID entry is `kiosk.flow.digit_entry.DigitEntry`, shared with the staff PIN.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from kiosk.config.schema import CheckinConfig
from kiosk.fleet.lookup import FleetLookup
from kiosk.members.roster import ID_PATTERN, normalize_id
from kiosk.store.database import CheckinMethod, Member, Store
from kiosk.store.errors import StorageError

logger = logging.getLogger(__name__)

CheckinReason = Literal["unknown", "expired", "disabled", "unavailable"]

#: What the check-in screen shows for each refusal (the member is asked to see staff).
HINTS: dict[str, str] = {
    "unknown": "We don't know this ID. Please see staff.",
    "expired": "Membership expired — please see staff",
    "disabled": "This check-in method is switched off here. Please see staff.",
    "unavailable": "Check-in is unavailable right now. Walk as a guest or see staff.",
}


@dataclass(frozen=True, slots=True)
class CheckinResult:
    """The outcome of one check-in; ``member`` is None for guests and refusals."""

    ok: bool
    member: Member | None = None
    reason: CheckinReason | None = None
    #: the day an expired membership ended (said on screen: "expired on 3 March")
    expired_on: dt.date | None = None

    @property
    def is_guest(self) -> bool:
        """True for an accepted guest check-in."""
        return self.ok and self.member is None

    @property
    def hint(self) -> str | None:
        """The line the screen shows for a refusal, else None."""
        if self.reason == "expired" and self.expired_on is not None:
            # a no-break space: the screen never breaks "3 March" across two lines
            day = f"{self.expired_on.day}\u00a0{self.expired_on:%B}"
            return f"Membership expired on {day} — please see staff"
        return HINTS.get(self.reason) if self.reason else None


class CheckinService:
    """Decides whether an ID may walk, and records every attempt.

    Attempts are recorded, refusals too (``ok = 0`` with the reason and the ID as typed),
    so staff can see who was turned away; no session is started for a refusal. A refusal
    for an unknown ID keeps the typed ID only as ``claimed_id``, and ``members forget ID``
    erases those rows as well. Never raises: a database failure gives ``"unavailable"``.
    """

    def __init__(
        self,
        store: Store | None,
        cfg: CheckinConfig,
        station_id: str,
        clock: Callable[[], float] = time.time,
        fleet: FleetLookup | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.cfg = cfg
        self.station_id = station_id
        self._clock = clock
        self.last_error: str | None = None
        #: With a fleet, each check-in first asks the server (at most ``lookup_timeout_s``).
        self.fleet = fleet
        #: Staff hear here that a check-in used this station's (possibly stale) copy.
        self.on_notice = on_notice
        self.last_fleet_note: str | None = None

    def is_enabled(self, method: CheckinMethod) -> bool:
        """True when the config offers this method."""
        return bool(getattr(self.cfg, method, False))

    def check_in(
        self, member_id: str | None, method: CheckinMethod, now: float | None = None
    ) -> CheckinResult:
        """Check in a member (or a guest with ``method="guest"``) at wall time ``now``."""
        now = self._clock() if now is None else now
        claimed = normalize_id(member_id) if member_id else None
        if not self.is_enabled(method):
            result = CheckinResult(False, None, "disabled")
        elif method == "guest":
            result = CheckinResult(True, None, None)
        elif self.store is None:
            return CheckinResult(False, None, "unavailable")
        else:
            if claimed and self.fleet is not None:
                self._refresh_from_fleet(claimed)
            try:
                member = self._find(claimed) if claimed else None
            except StorageError as exc:
                return self._failed(exc)
            if member is None:
                result = CheckinResult(False, None, "unknown")
            elif member.is_expired(dt.datetime.fromtimestamp(now).date()):
                result = CheckinResult(False, member, "expired")
            else:
                result = CheckinResult(True, member, None)
        self._record(result, claimed, method, now)
        # A refused member's record is not handed to the screen: it shows only the hint.
        if not result.ok:
            expired = result.reason == "expired" and result.member is not None
            expired_on = result.member.expires if expired and result.member else None
            return CheckinResult(False, None, result.reason, expired_on)
        return result

    def _refresh_from_fleet(self, claimed: str) -> None:
        """Bring the member, baseline and recent history from the server into the local store.

        The member is never refused for this: on a timeout or an error the local copy is
        used and staff (only) are told it may be stale.
        """
        assert self.fleet is not None
        if not ID_PATTERN.match(claimed):
            return
        candidates = [claimed]
        if claimed.isdigit() and claimed.lstrip("0") != claimed:
            candidates.append(claimed.lstrip("0") or "0")
        answer = self.fleet.refresh(candidates)
        if answer.fresh:
            self.last_fleet_note = None
            return
        note = f"check-in used this station's copy of the member data ({answer.note})"
        logger.warning("%s", note)
        self.last_fleet_note = note
        if self.on_notice is not None:
            self.on_notice(note)

    def _find(self, claimed: str) -> Member | None:
        assert self.store is not None
        if not ID_PATTERN.match(claimed):
            return None
        member = self.store.get_member(claimed)
        if member is None and claimed.isdigit() and claimed.lstrip("0") != claimed:
            # Button entry pads with zeros ("000042"); the member list may say "42".
            member = self.store.get_member(claimed.lstrip("0") or "0")
        return member

    def _record(self, result: CheckinResult, claimed: str | None, method: str, now: float) -> None:
        if self.store is None:
            return
        kept = claimed
        if method == "guest" or (claimed is not None and not ID_PATTERN.match(claimed)):
            kept = None  # not an ID at all: arbitrary text (a URL, a long scan) is not kept
        elif method == "qr" and result.member is None:
            kept = None  # a QR code of nobody we know is not stored verbatim
        try:
            self.store.record_checkin(
                member_id=result.member.id if result.member else None,
                claimed_id=kept,
                t=now,
                station_id=self.station_id,
                method=method,
                ok=result.ok,
                reason=result.reason,
            )
        except StorageError as exc:
            # The member may still walk; staff see the failure on their screen.
            logger.error("check-in not recorded: %s", exc)
            self.last_error = str(exc)

    def _failed(self, exc: StorageError) -> CheckinResult:
        logger.error("check-in lookup failed: %s", exc)
        self.last_error = str(exc)
        return CheckinResult(False, None, "unavailable")


class QrScanner:
    """Finds and decodes a QR code in camera frames, cheaply.

    Used on the check-in screen only. Only every ``every_n_frames``-th call decodes, on a
    grey copy downscaled to ``max_width`` - on a Pi a full-size search costs tens of ms.
    """

    def __init__(self, every_n_frames: int = 3, max_width: int = 480) -> None:
        import cv2  # heavy: imported when a scanner is made, not with the module

        self._cv2: Any = cv2
        self._detector = cv2.QRCodeDetector()
        self.every_n_frames = max(1, every_n_frames)
        self.max_width = max_width
        self._calls = 0

    @classmethod
    def from_config(cls, cfg: CheckinConfig) -> QrScanner:
        """A scanner with the config's frame skip and width."""
        return cls(cfg.qr_every_n_frames, cfg.qr_max_width)

    def scan(self, rgb: np.ndarray) -> str | None:
        """The text of a QR code in this RGB frame, or None (also on skipped frames)."""
        self._calls += 1
        if (self._calls - 1) % self.every_n_frames:
            return None
        return self.decode(rgb)

    def decode(self, rgb: np.ndarray) -> str | None:
        """Decode this frame now, without the frame skip."""
        cv2 = self._cv2
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
        h, w = grey.shape[:2]
        if w > self.max_width:
            scale = self.max_width / w
            grey = cv2.resize(
                grey, (self.max_width, round(h * scale)), interpolation=cv2.INTER_AREA
            )
        try:
            text, _points, _ = self._detector.detectAndDecode(grey)
        except cv2.error:
            logger.debug("QR decode failed", exc_info=True)
            return None
        text = normalize_id(text or "")
        return text or None


class CardReader:
    """Collects the characters a USB card/barcode reader types, ending with Enter.

    Readers type a whole ID within milliseconds; a gap longer than ``key_timeout_s``
    starts a new ID, so stray typing before a swipe does not merge into it.
    """

    def __init__(self, key_timeout_s: float = 0.3, max_length: int = 40) -> None:
        self.key_timeout_s = key_timeout_s
        self.max_length = max_length
        self._buffer: list[str] = []
        self._overflow = 0
        #: why the last Enter gave no ID (an over-long read), for the check-in screen
        self.rejected: str | None = None
        self._last_t: float | None = None

    @property
    def pending(self) -> str:
        """The characters collected so far."""
        return "".join(self._buffer)

    @property
    def overflowing(self) -> bool:
        """True when the read so far is longer than any ID (Enter will refuse it)."""
        return self._overflow > 0

    def reset(self) -> None:
        """Forget the characters collected so far."""
        self._buffer.clear()
        self._overflow = 0
        self._last_t = None

    def feed(self, text: str, t: float) -> str | None:
        """Add typed text (may contain ``"\\r"``/``"\\n"`` for Enter); return a completed ID."""
        completed: str | None = None
        if self._last_t is not None and t - self._last_t > self.key_timeout_s:
            self._buffer.clear()
            self._overflow = 0
        self._last_t = t
        for ch in text:
            if ch in "\r\n":
                value = normalize_id(self.pending)
                too_long = self._overflow
                self._buffer.clear()
                self._overflow = 0
                if too_long:
                    # never cut a long read down to someone else's ID: refuse it whole
                    self.rejected = f"read too long ({self.max_length + too_long} characters)"
                    logger.warning("card read rejected: %s", self.rejected)
                elif value:
                    self.rejected = None
                    completed = value
            elif not ch.isprintable():
                continue
            elif len(self._buffer) < self.max_length:
                self._buffer.append(ch)
            else:
                self._overflow += 1
        return completed

    def enter(self, t: float) -> str | None:
        """The Enter key."""
        return self.feed("\n", t)
