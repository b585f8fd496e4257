"""Check-in: QR codes in real camera frames, card reader keys, button entry, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.paths import FIXTURES

from kiosk.config.schema import CheckinConfig
from kiosk.flow.digit_entry import DigitEntry
from kiosk.members.checkin import CardReader, CheckinService, QrScanner
from kiosk.store.database import Store
from kiosk.store.records import Member

CLIP = FIXTURES / "single_person_front.mp4"
NOW = dt.datetime(2026, 6, 1, 12, 0).timestamp()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "db.sqlite3")
    s.upsert_members(
        [
            Member("1001", "Ada", dt.date(2026, 12, 31), 1),
            Member("42", "Bo", dt.date(2026, 6, 1)),  # last valid day is today
            Member("7", "Cy", dt.date(2026, 5, 31)),  # expired yesterday
        ]
    )
    return s


def clip_frames_rgb(n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(CLIP))
    frames: list[np.ndarray] = []
    while len(frames) < n:
        ok, bgr = cap.read()
        assert ok, "fixture clip ended early"
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def paste_qr(rgb: np.ndarray, text: str, size: int = 170) -> np.ndarray:
    """The frame with a member's phone QR code held up in its lower left."""
    code = cv2.QRCodeEncoder.create().encode(text)  # 1 px per module, with quiet zone
    code = cv2.resize(code, (size, size), interpolation=cv2.INTER_NEAREST)
    out = rgb.copy()
    h = out.shape[0]
    out[h - size - 20 : h - 20, 20 : 20 + size] = np.repeat(code[:, :, None], 3, axis=2)
    return out


def test_a_qr_code_in_camera_frames_checks_the_member_in(store: Store) -> None:
    frames = [paste_qr(f, "1001") for f in clip_frames_rgb(9)]
    scanner = QrScanner(every_n_frames=3, max_width=240)
    decoded = [scanner.scan(f) for f in frames]
    # Only every third frame is searched, each downscaled to 240 px wide.
    assert decoded == ["1001", None, None] * 3
    service = CheckinService(store, CheckinConfig(), "station-1")
    result = service.check_in(decoded[0], "qr", NOW)
    assert result.ok and result.member is not None and result.member.name == "Ada"
    [attempt] = store.list_checkins("1001")
    assert (attempt.method, attempt.ok, attempt.station_id) == ("qr", True, "station-1")


def test_frames_without_a_qr_code_decode_nothing() -> None:
    scanner = QrScanner(every_n_frames=1)
    assert all(scanner.scan(f) is None for f in clip_frames_rgb(5))


def test_unknown_and_expired_members_are_refused_with_a_hint_and_recorded(store: Store) -> None:
    service = CheckinService(store, CheckinConfig(), "s1")
    unknown = service.check_in("9999", "card", NOW)
    expired = service.check_in("7", "card", NOW)
    last_day = service.check_in("42", "card", NOW)
    assert (unknown.ok, unknown.reason, unknown.member) == (False, "unknown", None)
    assert (expired.ok, expired.reason, expired.member) == (False, "expired", None)
    assert unknown.hint is not None and "staff" in unknown.hint
    # the day it ran out, whole, with "3 March" kept on one line (a no-break space)
    assert expired.hint == "Membership expired on 31\u00a0May — please see staff"
    assert last_day.ok
    attempts = store.list_checkins()
    assert [(a.claimed_id, a.ok, a.reason) for a in attempts] == [
        ("9999", False, "unknown"),
        ("7", False, "expired"),
        ("42", True, None),
    ]
    assert store.count_rows("sessions") == 0  # a check-in never starts a session


def test_disabled_methods_and_guests(store: Store) -> None:
    cfg = CheckinConfig(qr=False, guest=True)
    service = CheckinService(store, cfg, "s1")
    assert service.check_in("1001", "qr", NOW).reason == "disabled"
    guest = service.check_in(None, "guest", NOW)
    assert guest.ok and guest.is_guest and guest.member is None
    no_guests = CheckinService(store, CheckinConfig(guest=False), "s1")
    assert no_guests.check_in(None, "guest", NOW).reason == "disabled"


def test_a_lost_database_makes_check_in_unavailable_not_a_crash(store: Store) -> None:
    service = CheckinService(store, CheckinConfig(), "s1")
    store.close()
    result = service.check_in("1001", "card", NOW)
    assert (result.ok, result.reason) == (False, "unavailable")
    assert service.last_error is not None
    assert service.check_in(None, "guest", NOW).ok  # guests still walk


def test_card_reader_keys_complete_an_id_on_enter() -> None:
    reader = CardReader(key_timeout_s=0.3)
    t = 10.0
    for ch in "1001":
        assert reader.feed(ch, t) is None
        t += 0.01
    assert reader.feed("\r", t) == "1001"
    assert reader.pending == ""
    assert reader.feed("42\n", 20.0) == "42"  # a reader may send it all at once


def test_card_reader_drops_stray_typing_before_a_swipe() -> None:
    reader = CardReader(key_timeout_s=0.3)
    reader.feed("x", 1.0)
    reader.feed("y", 1.1)  # someone pokes the keyboard ...
    for i, ch in enumerate("1001"):  # ... and the reader types two seconds later
        reader.feed(ch, 3.0 + i * 0.01)
    assert reader.enter(3.05) == "1001"
    assert reader.enter(3.06) is None  # a bare Enter is not an ID
    reader.feed("55", 4.0)
    assert reader.enter(9.0) is None  # Enter long after the digits: stale, dropped


def test_button_entry_checks_in_a_zero_padded_member(store: Store) -> None:
    entry = DigitEntry(4)
    assert not entry.confirm() and not entry.confirm()  # "00", then the third digit
    for _ in range(4):
        entry.up()
    assert not entry.confirm()
    for _ in range(8):
        entry.down()  # 0 -> 2 by going down eight times (wraps through 9)
    assert entry.current == 2 and entry.confirm() and entry.is_complete
    member_id = entry.text
    assert member_id == "0042"
    result = CheckinService(store, CheckinConfig(), "s1").check_in(member_id, "buttons", NOW)
    assert result.ok and result.member is not None and result.member.id == "42"
    entry.clear()
    assert (entry.text, entry.current) == ("", 0)


def test_the_keyboard_card_buffer_uses_the_configured_key_timeout() -> None:
    import pygame

    from kiosk.ui.keyboard import KeyboardInput

    def key(ch: str) -> pygame.event.Event:
        code = pygame.K_RETURN if ch == "\r" else ord(ch)
        return pygame.event.Event(pygame.KEYDOWN, key=code, unicode=ch, mod=0)

    fast = KeyboardInput(hold_s=2.0, card_key_timeout_s=0.3)
    for i, ch in enumerate("1001"):
        assert fast.key_down(key(ch), 1.0 + i * 0.01) == []
    assert [a.code for a in fast.key_down(key("\r"), 1.05)] == ["1001"]
    fast.key_down(key("7"), 2.0)
    assert fast.key_down(key("\r"), 3.0) == []  # after the gap, Enter is the select button
    slow = KeyboardInput(hold_s=2.0, card_key_timeout_s=2.0)  # a slow reader, configured
    slow.key_down(key("7"), 2.0)
    assert [a.code for a in slow.key_down(key("\r"), 3.0)] == ["7"]


class _ThreadNoting(QrScanner):
    """The real scanner, noting which thread decodes."""

    threads: set[int]

    def scan(self, rgb: np.ndarray) -> str | None:
        import threading

        self.threads.add(threading.get_ident())
        return super().scan(rgb)


def test_qr_codes_are_decoded_in_the_worker_thread_only_while_active() -> None:
    import threading
    import time

    from kiosk.members.qr_worker import QrWorker

    frame = paste_qr(clip_frames_rgb(1)[0], "1001")
    scanner = _ThreadNoting(every_n_frames=1)
    scanner.threads = set()
    worker = QrWorker(scanner)
    try:
        worker.offer(0, frame)  # inactive (not the check-in screen): ignored, no thread
        assert worker.take() == [] and worker.decoded == 0 and not worker.is_active
        worker.activate()
        for index in range(1, 4):
            worker.offer(index, frame)  # returns at once; a newer frame replaces an older
        codes: list[str] = []
        deadline = time.monotonic() + 30
        while not codes and time.monotonic() < deadline:
            codes = worker.take()
            time.sleep(0.01)
        assert codes and set(codes) == {"1001"}
        assert 1 <= worker.decoded <= 3  # latest frame only: never more than offered
        assert threading.get_ident() not in scanner.threads  # never on the caller's thread
        worker.deactivate()  # left the check-in screen: frames and late codes are dropped
        worker.offer(9, frame)
        time.sleep(0.2)
        assert worker.take() == []
    finally:
        worker.close()
        worker.close()  # idempotent
