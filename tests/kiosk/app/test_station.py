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


def test_the_station_starts_its_links_restarts_them_on_a_reload_and_closes_them() -> None:
    import itertools
    import threading

    from support.ble_air import VirtualAir

    air = VirtualAir()
    treadmill = air.treadmill("Gym Console")
    treadmill.advertise()
    addresses = (f"F2:00:00:00:02:{i:02X}" for i in itertools.count(1))
    timing = {"connect_timeout_s": 2.0, "reconnect_max_s": 2.0}
    cfg = BackstepConfig.model_validate(
        {"treadmill": {"enabled": True, "device": "Gym Console", **timing}}
    )
    options = RunOptions(
        source="demo", headless=True, central_factory=lambda: air.central(next(addresses))
    )
    station = Station(cfg, options, lambda _e: None, True)
    try:
        first = station.machine.treadmill
        assert first is not None and station.members.machine_links is station.machine
        deadline = time.monotonic() + 20
        while not first.status().connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.status().connected
        station.install_config(cfg.model_copy(update={"checkin": cfg.checkin}))  # nothing new
        assert station.machine.treadmill is first
        changed = BackstepConfig.model_validate(
            {
                "treadmill": {"enabled": True, "device": "Gym Console", "units": "km/h", **timing},
                "heart_rate": {"enabled": True, "device": "treadmill"},
            }
        )
        station.install_config(changed)
        assert station.machine.treadmill is not first and station.machine.configured
        assert station.errors.copy() == []
    finally:
        station.close()
        air.close()
    names = {t.name for t in threading.enumerate()}
    assert "backstep-treadmill" not in names and "backstep-heart-rate" not in names
