"""source = "auto" on a station (under systemd) never plays the demo in place of the camera."""

from __future__ import annotations

import glob

import pytest

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.sources.choice import on_station, open_source

no_camera = pytest.mark.skipif(bool(glob.glob("/dev/video*")), reason="this machine has a camera")


@no_camera
def test_auto_under_systemd_without_a_camera_is_a_lost_camera(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INVOCATION_ID", "0123456789abcdef")
    assert on_station()
    with pytest.raises(SourceError, match="never stands in for the camera"):
        open_source(CameraConfig(source="auto"))


@no_camera
def test_auto_off_station_plays_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    source = open_source(CameraConfig(source="auto"))
    try:
        assert source.name == "demo"
    finally:
        source.close()
