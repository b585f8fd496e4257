"""The CSI camera through rpicam-vid, against a stand-in that behaves like the real tool.

The stand-in (`support.rpicam_standin`) is first on PATH: raw I420 frames of a real clip on
stdout, and rpicam-apps' own messages and exit status for a busy or absent camera and for a
camera lost mid-stream.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.paths import FIXTURES
from support.rpicam_standin import install_standin

from vision.errors import SourceError
from vision.loop.capture import CaptureThread
from vision.settings import CameraConfig
from vision.sources.choice import open_source, source_factory
from vision.sources.rpicam import RpiCamera, aligned_size

CLIP = FIXTURES / "retro_walk_gym.mp4"


@pytest.fixture
def standin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """rpicam-vid first on PATH; returns the log file of its runs (one line per start)."""
    bin_dir = tmp_path / "bin"
    install_standin(bin_dir)
    log = tmp_path / "rpicam.log"
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path('/usr/bin')}:{Path('/bin')}")
    monkeypatch.setenv("RPICAM_STANDIN_CLIP", str(CLIP))
    monkeypatch.setenv("RPICAM_STANDIN_LOG", str(log))
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    yield log


def first_clip_frame_rgb(width: int, height: int) -> np.ndarray:
    cap = cv2.VideoCapture(str(CLIP))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    bgr = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def test_frames_are_the_clip_in_rgb_at_the_asked_size(standin: Path) -> None:
    with RpiCamera(width=640, height=480, fps=30) as camera:
        frames = [camera.read() for _ in range(3)]
    assert [f.index for f in frames] == [0, 1, 2]
    assert frames[0].image.shape == (480, 640, 3) and frames[0].image.dtype == np.uint8
    # I420 halves the chroma resolution; the colours must still be the clip's, in RGB order
    # (BGR would swap the red and blue channels: a large difference).
    diff = np.abs(frames[0].image.astype(int) - first_clip_frame_rgb(640, 480).astype(int))
    assert diff.mean() < 4.0
    assert frames[0].t <= frames[1].t <= frames[2].t


def test_a_width_with_row_padding_is_rounded_to_a_padding_free_one(standin: Path) -> None:
    assert aligned_size(800, 600) == (768, 600)
    with RpiCamera(width=800, height=601) as camera:
        assert camera.read().image.shape == (600, 768, 3)


def test_a_missing_rpicam_vid_is_a_clear_source_error(
    standin: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SourceError, match=r"rpicam-vid is not installed.*rpicam-apps"):
        RpiCamera().open()


def test_a_busy_camera_says_so_with_rpicams_own_message(
    standin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPICAM_STANDIN", "busy")
    camera = RpiCamera()
    start = time.monotonic()
    with pytest.raises(SourceError) as raised:
        camera.open()
    assert time.monotonic() - start < 1.5  # at open, not after a read timeout
    text = str(raised.value)
    assert "in use by another program" in text
    assert "exit status 255" in text and "failed to acquire camera" in text
    assert not camera.is_open


def test_no_camera_connected_is_named(standin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPICAM_STANDIN", "none")
    with pytest.raises(SourceError, match="no CSI camera detected"):
        RpiCamera().open()


def test_exit_mid_stream_raises_on_read(standin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPICAM_STANDIN", "die:2")
    camera = RpiCamera(fps=60)
    camera.open()
    try:
        camera.read()
        camera.read()
        with pytest.raises(SourceError, match=r"rpicam-vid stopped, exit status 255.*timeout"):
            camera.read()
    finally:
        camera.close()


def test_the_capture_thread_reconnects_after_rpicam_vid_exits(
    standin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPICAM_STANDIN", "die:5")
    cfg = CameraConfig(source="rpicam", fps=60)
    capture = CaptureThread(source_factory(cfg), reconnect_min_s=0.1, reconnect_max_s=0.2)
    capture.start()
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and capture.status.reconnects < 2:
            time.sleep(0.05)
        status = capture.status
        assert status.reconnects >= 2, status
        assert status.frames >= 10  # frames from more than one rpicam-vid run
    finally:
        capture.stop()
    assert len(standin.read_text().splitlines()) >= 3  # a new process per reconnect


def test_auto_picks_the_csi_camera_that_rpicam_lists(standin: Path) -> None:
    source = open_source(CameraConfig(source="auto"))
    try:
        assert isinstance(source, RpiCamera)
        assert source.read() is not None
    finally:
        source.close()
    make = source_factory(CameraConfig(source="auto"))
    again = make()
    again.close()
    assert again.name == "rpicam:0"


def test_a_closed_camera_stops_its_process(standin: Path) -> None:
    camera = RpiCamera()
    camera.open()
    proc = camera._proc
    assert proc is not None
    camera.close()
    camera.close()
    assert proc.poll() is not None


def test_the_doctor_reads_a_frame_from_the_camera_module(
    standin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.config.schema import BackstepConfig
    from kiosk.doctor.probes import check_camera

    cfg = BackstepConfig()
    result = check_camera(cfg)
    assert result.status == "ok" and "CSI camera (rpicam-vid)" in result.detail
    monkeypatch.setenv("RPICAM_STANDIN", "busy")
    cfg.camera.source = "rpicam"
    busy = check_camera(cfg)
    assert busy.status == "fail" and "in use by another program" in busy.detail


def test_importing_the_rpicam_source_loads_no_opencv_and_no_picamera2() -> None:
    import subprocess
    import sys

    code = (
        "import sys, vision.sources.rpicam; "
        "print(sorted(m for m in ('picamera2', 'cv2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_hung_rpicam_vid_is_stopped_not_left_holding_the_camera(
    standin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPICAM_STANDIN", "hang:2")
    camera = RpiCamera(fps=30)
    camera.open()
    proc = camera._proc
    assert proc is not None
    try:
        camera.read()
        camera.read()
        start = time.monotonic()
        with pytest.raises(SourceError, match="no frame from rpicam-vid in 2 s"):
            camera.read()
        assert time.monotonic() - start < 6
        assert proc.poll() is not None  # ended: a new rpicam-vid can take the camera
    finally:
        camera.close()
