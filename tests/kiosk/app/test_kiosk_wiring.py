"""The kiosk's wiring: logging set-up and reload, model status, lean gauge and view hints."""

from __future__ import annotations

import os

from support.paths import FIXTURES

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.flow.machine import Screen
from kiosk.session.running import lean_reading
from kiosk.ui.screens.position import placement_hint
from kiosk.ui.view_state import ViewState
from kiosk.vision_link.link import read_status
from vision.loop.status import VisionStatus
from vision.metrics.settings import PostureConfig
from vision.types import FrameMetrics

CLIP = FIXTURES / "single_person_front.mp4"


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger, put back as it was afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield root
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    for h in handlers:
        if h not in root.handlers:
            root.addHandler(h)
    root.setLevel(level)


def write_config(path: Path, data_dir: Path, level: str) -> Path:
    path.write_text(
        f'[storage]\ndata_dir = "{data_dir}"\n\n[logging]\nlevel = "{level}"\n'
        "\n[cues]\nsound = false\n"
    )
    return path


def test_backstep_run_logs_at_the_level_the_config_file_gives(tmp_path, root_logging):
    from kiosk.cli import main

    toml = write_config(tmp_path / "backstep.toml", tmp_path / "data", "WARNING")
    out = CliRunner().invoke(
        main,
        ["run", "--config", str(toml), "--headless", "--seconds", "1", "--source", str(CLIP)],
    )
    assert out.exit_code == 0, out.output
    assert root_logging.level == logging.WARNING
    assert any(h.get_name() == "backstep" for h in root_logging.handlers)


def test_a_config_reload_applies_the_new_log_level(tmp_path, root_logging):
    from kiosk.app.loop import KioskApp, RunOptions
    from kiosk.config.loader import load_config

    toml = write_config(tmp_path / "backstep.toml", tmp_path / "data", "INFO")
    cfg = load_config(toml)

    def edit_and_reload(app: KioskApp) -> None:
        write_config(toml, tmp_path / "data", "DEBUG")
        app.reloader.request()

    app = KioskApp(
        cfg,
        RunOptions(
            config_path=toml,
            source=str(CLIP),
            headless=True,
            seconds=1.5,
            script=[(0.5, edit_and_reload)],
        ),
    )
    app.run()
    assert app.config.logging.level == "DEBUG"
    assert root_logging.level == logging.DEBUG


def test_the_staff_screen_reads_the_model_state_and_its_file_apart():
    status = VisionStatus(
        camera="ok",
        source="demo",
        capture_fps=30.0,
        pose_fps=12.0,
        dropped=3,
        skipped=0,
        frames_processed=10,
        model="ready",
        model_path=Path("/cache/pose_landmarker_full.task"),
        last_error=None,
        infer_ms_p50=40.0,
        is_ready=True,
    )
    facts = read_status(status)
    assert facts.model == "ready"
    assert facts.model_path == "/cache/pose_landmarker_full.task"
    assert facts.dropped == 3 and facts.camera == "ok"


def test_front_view_shows_the_side_lean_and_side_view_the_trunk_lean():
    from support.synthetic_walker import SyntheticWalker

    from vision.metrics.analyzer import PostureAnalyzer

    cfg = PostureConfig()
    for view, facing, label, lean, limits in (
        ("front", "camera", "Side lean", -4.0, (15.0, 15.0)),
        ("side", "right", "Trunk lean", 6.0, (30.0, 25.0)),
    ):
        kw = {"lateral_lean_deg": lean} if view == "front" else {"trunk_lean_deg": lean}
        walker = SyntheticWalker(view=view, facing=facing, walking=False, **kw)
        analyzer = PostureAnalyzer(view="auto", frame_size=walker.p.frame_size)
        metrics = FrameMetrics()
        for t, pose in walker.sequence(1.0):
            metrics, _ = analyzer.update(t, pose)
        got_label, value, plus, minus = lean_reading(metrics, cfg)
        assert got_label == label and value == pytest.approx(lean, abs=0.3)
        # no baseline: the absolute safety limits are the ones in force
        assert (plus, minus) == limits


def position_view(detected: str | None, expected: str) -> ViewState:
    import numpy as np

    return ViewState(
        screen=Screen.POSITION,
        frame=np.zeros((4, 4, 3), np.uint8),
        person=True,
        in_zone=True,
        whole_body=True,
        side_view=detected == ("front" if expected == "front" else "side"),
        detected_view=detected,
        expected_view=expected,
    )


def test_the_camera_angle_advice_is_for_staff_and_the_member_hears_no_camera_words():
    from kiosk.ui.screens.position import view_hint

    # issue 22: where the camera stands is the staff's business (the staff screen says it)
    assert "beside the belt" in view_hint(position_view("front", "side"))
    assert "in front of the treadmill" in view_hint(position_view("side", "front"))
    for detected, expected in (("front", "side"), ("side", "front"), ("side", "side")):
        hint = placement_hint(position_view(detected, expected))
        assert "camera" not in hint.lower() and "view" not in hint.lower()
        assert hint == "Ready — starting…"


@pytest.mark.slow
def test_the_front_view_fixture_is_detected_as_front_although_the_config_says_side(model_path):
    """The real pipeline on the fixture clip: the snapshot's view comes from body proportions."""
    from kiosk.config.schema import BackstepConfig
    from kiosk.vision_link.snapshot import SnapshotBuilder
    from vision.loop.pipeline import build_pipeline
    from vision.sources.video import VideoFileSource

    cfg = BackstepConfig()
    cfg.camera.view = "side"  # an explicit staff choice
    builder = SnapshotBuilder(cfg.camera.view, cfg.posture)
    pipeline = build_pipeline(cfg, model_path)
    source = VideoFileSource(CLIP, realtime=False, loop=False)
    source.open()
    snaps = []
    try:
        while (frame := source.read()) is not None:
            result = pipeline.process(frame)
            assert result.metrics.view in ("side", None)  # the analyzer trusts the config
            snaps.append(builder.build(result, "ok", 0.0))
    finally:
        source.close()
        pipeline.close()
    assert snaps[-1].view == "front"
    assert not snaps[-1].side_view


def test_by_default_the_analyzer_judges_the_view_so_the_front_clip_gets_side_lean(model_path):
    """camera.view = "auto" (the default): no sagittal lean is reported from a front view."""
    from kiosk.config.schema import BackstepConfig
    from kiosk.session.running import lean_reading
    from kiosk.vision_link.snapshot import SnapshotBuilder
    from vision.loop.pipeline import build_pipeline
    from vision.sources.video import VideoFileSource

    cfg = BackstepConfig()
    assert cfg.camera.view == "auto"
    builder = SnapshotBuilder(cfg.camera.view, cfg.posture)
    pipeline = build_pipeline(cfg, model_path)
    source = VideoFileSource(CLIP, realtime=False, loop=False)
    source.open()
    results = []
    try:
        while (frame := source.read()) is not None:
            results.append(pipeline.process(frame))
            snap = builder.build(results[-1], "ok", 0.0)
    finally:
        source.close()
        pipeline.close()
    last = results[-1].metrics
    assert last.view == "front" and last.trunk_lean_deg is None
    assert last.posture not in ("leaning_back", "leaning_forward")
    label, _value, _warn, _back = lean_reading(last, cfg.posture)
    assert label == "Side lean"
    # the position screen still recommends a side view (trunk lean is measured best there)
    assert snap.view == "front" and not snap.side_view
