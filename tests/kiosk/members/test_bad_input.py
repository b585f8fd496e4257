"""Bad input at every entrance: control characters, over-long IDs, card reads, QR payloads."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
from pathlib import Path

import pygame
import pytest
from click.testing import CliRunner

from hw.events import ButtonEvent
from kiosk.app.loop import KioskApp, RunOptions
from kiosk.cli.members import members
from kiosk.config.schema import BackstepConfig, CheckinConfig
from kiosk.members.checkin import CardReader, CheckinService
from kiosk.members.roster import validate_member
from kiosk.store.database import Member, Store
from kiosk.ui.keyboard import KeyboardInput

T0 = 1_900_000_000.0


@pytest.mark.parametrize(
    ("name", "why"),
    [("Ada\x00Lovelace", "control"), ("\x1b[31mRed\x1b[0m", "control"), ("A" * 81, "longer")],
)
def test_names_with_control_characters_or_too_long_are_refused(name: str, why: str) -> None:
    member, problems = validate_member("42", name, "2030-01-01", None)
    assert member is None
    assert why in problems[0]
    assert "\x00" not in problems[0] and "\x1b" not in problems[0]


def test_an_absurd_id_is_not_echoed_back_in_full() -> None:
    member, problems = validate_member("9" * 10_000 + "!", "Ada", "2030-01-01", None)
    assert member is None
    assert len(problems[0]) < 200
    assert "10001 characters" in problems[0]


def test_ids_are_trimmed_the_same_everywhere() -> None:
    member, problems = validate_member("  S1234 \t", "Ada", "2030-01-01", None)
    assert problems == [] and member is not None and member.id == "S1234"


def test_old_rows_with_control_characters_never_reach_a_screen_or_terminal(
    tmp_path: Path,
) -> None:
    db = tmp_path / "data" / "backstep.sqlite3"
    Store(db).close()
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO members (id, name, expires) VALUES ('7', ?, '2030-01-01')",
        ("Bo\x00\x1b[31mby",),
    )
    raw.commit()
    raw.close()
    with Store(db) as store:
        got = store.get_member("7")
    assert got is not None and got.name == "Bo??[31mby"
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    result = CliRunner().invoke(
        members, ["list", "--config", str(config)], env={"BACKSTEP_DATA_DIR": ""}
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x00" not in result.output


# ------------------------------------------------------------------------- the card reader


def key(ch: str) -> pygame.event.Event:
    code = pygame.K_RETURN if ch == "\r" else ord(ch.lower())
    return pygame.event.Event(pygame.KEYDOWN, key=code, unicode=ch, mod=0)


def typed(kb: KeyboardInput, text: str, t: float = 1.0) -> list:
    actions = []
    for ch in text:
        actions += kb.key_down(key(ch), t)
        t += 0.01
    return actions


def test_on_the_checkin_screen_letter_first_ids_are_read_whole() -> None:
    pygame.init()
    kb = KeyboardInput(hold_s=1.0, card_key_timeout_s=0.3)
    kb.id_mode = True
    assert [(a.kind, a.code) for a in typed(kb, "S1234\r")] == [("card", "S1234")]
    assert [(a.kind, a.code) for a in typed(kb, "ABC\r", 5.0)] == [("card", "ABC")]
    kb.id_mode = False  # elsewhere S is still the stop key
    # a button key acts once no reader burst followed it (one gap later)
    assert [(a.kind, a.name) for a in typed(kb, "s", 9.0) + kb.tick(9.1)] == [("button", "stop")]


def test_an_over_long_read_is_refused_not_cut_into_another_id() -> None:
    pygame.init()
    kb = KeyboardInput(hold_s=1.0, card_key_timeout_s=0.3)
    kb.id_mode = True
    actions = typed(kb, "1234" * 15 + "\r")  # 60 characters: no ID is that long
    assert [a.kind for a in actions] == ["card_rejected"]
    assert "60 characters" in actions[0].code
    reader = CardReader(max_length=40)
    assert reader.feed("7" * 41 + "\n", 0.0) is None and reader.rejected
    assert reader.feed("7" * 40 + "\n", 1.0) == "7" * 40  # the longest ID still reads


@pytest.mark.slow
def test_a_letter_first_card_checks_in_on_the_real_kiosk(
    tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Store(data_dir / "backstep.sqlite3") as store:
        store.upsert_members([Member("S1234", "Sam", dt.date(2099, 1, 1))])
    cfg = BackstepConfig()
    cfg.model.path = tmp_path / "none.task"
    cfg.cues.sound = False

    def swipe(text: str):
        def run(_app: KioskApp) -> None:
            for ch in text:
                pygame.event.post(key(ch))

        return run

    def press_start(app: KioskApp) -> None:
        app.post_button(ButtonEvent("start", "press"))

    app = KioskApp(
        cfg,
        RunOptions(
            source="demo",
            headless=True,
            seconds=3.0,
            size=(800, 480),
            script=[(0.5, press_start), (1.0, swipe("S1234\r"))],
        ),
    )
    summary = app.run()
    assert "position" in summary["states_seen"], summary  # checked in, S did not mean stop
    assert "checkin_rejected" not in summary["states_seen"]
    assert "S1234" in caplog.text  # the journal keeps the ID ...
    assert "Sam" not in caplog.text  # ... never the name


# --------------------------------------------------------------------------- QR payloads


def test_unknown_qr_payloads_are_not_stored_verbatim(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        service = CheckinService(store, CheckinConfig(), "s1", clock=lambda: T0)
        service.check_in("https://example.com/?email=ada@example.com", "qr")
        service.check_in("77777", "qr")  # ID-shaped but nobody we know
        service.check_in("88888", "card")  # a typed ID is kept (staff see who was refused)
        service.check_in("x" * 500, "card")
        claimed = [c.claimed_id for c in store.list_checkins()]
        assert claimed == [None, None, "88888", None]
        store.apply_retention(T0 + 400 * 86400, 365)  # and what was kept expires
        assert [c.claimed_id for c in store.list_checkins()] == [None, None, None, None]


def test_card_reading_does_not_wait_on_the_clock() -> None:
    # the reader's gap rule still splits slow typing from a swipe
    reader = CardReader(key_timeout_s=0.3)
    reader.feed("12", 0.0)
    assert reader.feed("34\n", time.monotonic() + 10) == "34"
