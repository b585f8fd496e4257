"""The station: a reopened store and a reloaded config reach every part through one path."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.app.options import RunOptions
from kiosk.app.station import StaffErrors, Station, Topic
from kiosk.config.schema import BackstepConfig


def _station(config: BackstepConfig) -> Station:
    # the real parts on the demo clip; the vision service is built but never started
    return Station(config, RunOptions(source="demo", headless=True), lambda _e: None, True)


def test_a_store_opened_late_reaches_the_sessions_and_the_check_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")  # nothing can open there
    monkeypatch.setenv("BACKSTEP_DATA_DIR", str(blocked))
    station = _station(BackstepConfig())
    try:
        assert station.store is None and station.opener is not None
        assert station.members.store is None and station.checkin is not None
        blocked.unlink()  # the opener's next try succeeds
        deadline = time.monotonic() + 20
        while station.store is None and time.monotonic() < deadline:
            station.poll_store()  # what the loop does every step
            time.sleep(0.1)
        assert station.store is not None
        assert station.members.store is station.store
        assert station.checkin.store is station.store
    finally:
        station.close()


def test_a_reloaded_config_reaches_every_part_that_uses_it(tmp_path: Path) -> None:
    station = _station(BackstepConfig())
    try:
        new = BackstepConfig.model_validate({"checkin": {"id_digits": 7, "qr": False}})
        station.install_config(new)
        assert station.config is new
        assert station.members.config is new
        assert station.checkin is not None and station.checkin.cfg is new.checkin
        assert station.qr_worker is None  # QR turned off: its worker is gone
    finally:
        station.close()


def test_a_failing_subscriber_is_reported_and_the_others_still_hear() -> None:
    errors = StaffErrors()
    topic: Topic[int] = Topic("config reload", errors.report)
    heard: list[int] = []

    def broken(_value: int) -> None:
        raise RuntimeError("boom")

    topic.subscribe(broken)
    topic.subscribe(heard.append)
    topic.publish(3)
    assert heard == [3]
    assert errors.copy() == ["config reload: boom"]
