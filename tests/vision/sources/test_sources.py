"""Frame sources: video files, the demo clip, the choice of source, cameras that are absent."""

from __future__ import annotations

import glob
import logging
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.paths import FIXTURES, ROOT

from vision.errors import SourceError, VisionError
from vision.settings import CameraConfig
from vision.sources.base import FrameSource, rotate_image
from vision.sources.choice import open_source, source_factory
from vision.sources.picamera import PiCamera, is_picamera_available
from vision.sources.usb import UsbCamera
from vision.sources.video import VideoFileSource, demo_path

FIXTURE = FIXTURES / "single_person_front.mp4"
NO_CAMERA = not glob.glob("/dev/video*") and not is_picamera_available()
needs_no_camera = pytest.mark.skipif(not NO_CAMERA, reason="a camera is attached here")


def decoded_rgb(path: Path) -> list[np.ndarray]:
    """Every frame of a file decoded straight with OpenCV, converted to RGB."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def test_video_file_yields_50_rgb_frames_of_360x640_then_none() -> None:
    expected = decoded_rgb(FIXTURE)
    with VideoFileSource(FIXTURE, realtime=False, loop=False) as source:
        frames = []
        while (frame := source.read()) is not None:
            frames.append(frame)
        assert source.read() is None  # stays ended
    assert len(frames) == 50
    assert [f.index for f in frames] == list(range(50))
    for frame, want in zip(frames, expected, strict=True):
        assert frame.size == (360, 640)
        assert frame.image.dtype == np.uint8
        np.testing.assert_array_equal(frame.image, want)  # RGB, not OpenCV's BGR


def test_realtime_file_stamps_media_time_at_the_file_frame_rate() -> None:
    with VideoFileSource(FIXTURE, realtime=True, loop=False) as source:
        frames = [source.read() for _ in range(8)]
    assert source.fps == pytest.approx(30.0)
    media_t = [f.media_t for f in frames if f is not None]
    assert media_t == pytest.approx([i / 30.0 for i in range(8)])
    capture_t = [f.t for f in frames if f is not None]
    assert capture_t == sorted(capture_t)


def test_looping_file_wraps_media_time_but_keeps_counting_frames() -> None:
    first = decoded_rgb(FIXTURE)[0]
    with VideoFileSource(FIXTURE, realtime=False, loop=True) as source:
        frames = [source.read() for _ in range(120)]
    assert all(f is not None for f in frames)
    assert [f.index for f in frames if f is not None] == list(range(120))
    wrapped = frames[50]
    assert wrapped is not None
    assert wrapped.media_t == 0.0
    np.testing.assert_array_equal(wrapped.image, first)
    last = frames[49]
    assert last is not None and last.media_t == pytest.approx(49 / 30)


def test_a_looping_file_marks_the_first_frame_of_each_new_pass_as_a_discontinuity() -> None:
    with VideoFileSource(FIXTURE, realtime=False, loop=True) as source:
        frames = [source.read() for _ in range(120)]
    marked = [f.index for f in frames if f is not None and f.discontinuity]
    assert marked == [50, 100]  # the scene jumps back to the start: nothing spans it


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_is_clockwise_and_applied_in_the_source(rotation: int) -> None:
    upright = decoded_rgb(FIXTURE)[0]
    with VideoFileSource(FIXTURE, realtime=False, rotation=rotation) as source:
        frame = source.read()
    assert frame is not None
    assert frame.size == ((640, 360) if rotation in (90, 270) else (360, 640))
    assert frame.image.flags["C_CONTIGUOUS"]
    if rotation == 90:
        # Clockwise: the upright image's bottom-left pixel lands at the top-left.
        np.testing.assert_array_equal(frame.image[0, 0], upright[-1, 0])
        np.testing.assert_array_equal(frame.image[0, -1], upright[0, 0])
    np.testing.assert_array_equal(frame.image, rotate_image(upright, rotation))


def test_rotate_image_refuses_odd_angles() -> None:
    with pytest.raises(ValueError, match="rotation"):
        rotate_image(np.zeros((4, 4, 3), np.uint8), 45)


def test_missing_video_file_raises_a_source_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(SourceError, match=r"nope\.mp4"):
        VideoFileSource(missing).open()


def test_a_file_that_is_not_a_video_raises_a_source_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video\n")
    with pytest.raises(SourceError, match="cannot decode"):
        VideoFileSource(bogus).open()


def test_reading_a_closed_source_raises_and_close_is_idempotent() -> None:
    source = VideoFileSource(FIXTURE, realtime=False)
    with pytest.raises(SourceError, match="not open"):
        source.read()
    source.open()
    source.open()  # idempotent
    assert source.read() is not None
    source.close()
    source.close()
    assert not source.is_open


def test_source_errors_are_vision_errors_and_os_errors() -> None:
    with pytest.raises(OSError):
        VideoFileSource("/nonexistent/clip.mp4").open()
    assert issubclass(SourceError, VisionError)


def test_override_demo_plays_the_builtin_clip_in_a_loop() -> None:
    source = open_source(CameraConfig(rotation=90), "demo")
    try:
        assert isinstance(source, FrameSource)
        assert isinstance(source, VideoFileSource)
        assert source.name == "demo"
        assert source.path == demo_path() and demo_path().is_file()
        assert source.loop and source.realtime and not source.is_live
        frame = source.read()  # opened already; the demo is upright, so not rotated
        assert frame is not None and frame.size == (360, 640)
    finally:
        source.close()


@needs_no_camera
def test_auto_falls_back_to_the_demo_clip_with_a_warning_when_no_camera_is_present(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="vision.sources.choice"):
        source = open_source(CameraConfig(source="auto"))
    try:
        assert source.name == "demo"
        assert "demo" in caplog.text
    finally:
        source.close()


@needs_no_camera
def test_override_camera_with_no_camera_present_raises_instead_of_playing_the_demo() -> None:
    with pytest.raises(SourceError, match="camera"):
        open_source(CameraConfig(source="demo"), "camera")


@needs_no_camera
def test_factory_pins_what_auto_chose_so_reconnects_do_not_probe_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    make = source_factory(CameraConfig(source="auto"))
    with caplog.at_level(logging.WARNING, logger="vision.sources.choice"):
        first = make()
        first.close()
        assert "no camera available" in caplog.text
        caplog.clear()
        second = make()
        second.close()
    assert second is not first and second.name == "demo"
    assert "no camera available" not in caplog.text


def test_override_file_path_plays_that_file_rotated_as_configured() -> None:
    source = open_source(CameraConfig(rotation=270), str(FIXTURE))
    try:
        assert isinstance(source, VideoFileSource) and source.path == FIXTURE
        frame = source.read()
        assert frame is not None and frame.size == (640, 360)
    finally:
        source.close()


def test_config_file_source_without_a_file_is_a_clear_error() -> None:
    # The config validator refuses this too; open_source must not rely on it.
    unchecked = CameraConfig.model_construct(source="file", file=None)
    with pytest.raises(SourceError, match=r"camera\.file"):
        open_source(unchecked)


def test_a_usb_camera_index_that_does_not_exist_raises_a_clear_source_error() -> None:
    camera = UsbCamera(42)
    with pytest.raises(SourceError, match=r"USB camera 42 could not be opened.*video"):
        camera.open()
    assert not camera.is_open
    camera.close()  # closing a camera that never opened is harmless


def test_usb_camera_reads_its_settings_from_the_config() -> None:
    cfg = CameraConfig(device="/dev/video2", width=1280, height=720, fps=15, rotation=180)
    camera = UsbCamera.from_config(cfg)
    assert (camera.device, camera.width, camera.height, camera.fps, camera.rotation) == (
        "/dev/video2",
        1280,
        720,
        15,
        180,
    )
    assert UsbCamera("3").device == 3  # a digit string is an index, not a path


@pytest.mark.skipif(is_picamera_available(), reason="a CSI camera is attached here")
def test_picamera_without_picamera2_or_a_camera_raises_a_source_error() -> None:
    camera = PiCamera.from_config(CameraConfig())
    with pytest.raises(SourceError, match=r"picamera2|CSI"):
        camera.open()
    assert not camera.is_open


def test_importing_the_source_modules_loads_neither_picamera2_nor_opencv() -> None:
    # picamera2 cannot be imported off a Pi, and cv2 would slow `backstep --help`.
    code = (
        "import sys, vision.sources.choice, vision.sources.picamera, vision.loop.capture, "
        "vision.pose.smoothing; "
        "print(sorted(m for m in ('picamera2', 'cv2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "[]"
