"""The kiosk's vision service on the built-in demo clip: real capture, real inference."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config.schema import BackstepConfig
from vision.loop.service import VisionService
from vision.metrics.baseline import Baseline
from vision.settings import ZoneConfig
from vision.types import Event

EMPTY_FLOOR = ZoneConfig(x0=0.0, y0=0.9, x1=0.2, y1=1.0)  # demo clip: a corner of the mat


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll ``condition`` until true or ``timeout`` (a generous bound, not a timing assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def service(model_path: Path) -> Iterator[VisionService]:
    svc = VisionService(BackstepConfig(), "demo", model_path=model_path)
    yield svc
    svc.stop()


def test_the_demo_service_becomes_ready_and_publishes_results(service: VisionService) -> None:
    assert not service.is_ready
    assert service.latest_result() is None
    service.start()
    assert wait_for(lambda: service.is_ready)
    assert wait_for(lambda: (r := service.latest_result()) is not None and r.person)
    result = service.latest_result()
    assert result is not None
    assert result.metrics.posture is not None
    frame = service.latest_frame()
    assert frame is not None and frame.size == result.frame_size


def test_status_reports_camera_model_and_speed(service: VisionService) -> None:
    service.start()
    assert wait_for(lambda: service.status().frames_processed >= 10)
    status = service.status()
    assert status.camera == "ok"
    assert status.source == "demo"
    assert status.model == "ready" and status.model_path is not None
    assert status.capture_fps > 0 and status.pose_fps > 0
    assert status.infer_ms_p50 is not None and status.infer_ms_p50 > 0
    assert status.is_ready
    assert status.last_error is None


def test_events_are_drained_once(service: VisionService) -> None:
    service.start()
    # The demo man steps and leans; some event (a step at least) comes within a loop or two.
    collected: list[Event] = []

    def some_event() -> bool:
        collected.extend(service.drain_events())
        return bool(collected)

    assert wait_for(some_event)
    assert all(e.kind in ("step", "fault", "fault_cleared", "safety") for e in collected)
    later = service.drain_events()
    assert not any(e in collected for e in later)


def test_a_zone_change_applies_while_running(service: VisionService) -> None:
    service.start()
    assert wait_for(lambda: (r := service.latest_result()) is not None and r.person)
    service.set_zone(EMPTY_FLOOR)
    assert service.zone == EMPTY_FLOOR
    done = service.status().frames_processed
    assert wait_for(lambda: service.status().frames_processed >= done + 5)
    result = service.latest_result()
    assert result is not None and not result.person


def test_baseline_collection_reports_progress_and_a_set_baseline_is_kept(
    service: VisionService,
) -> None:
    assert service.baseline_progress() is None
    service.start()
    service.start_baseline()
    assert wait_for(lambda: (service.baseline_progress() or 0.0) > 0.0)
    progress = service.baseline_progress()
    assert progress is not None and 0.0 < progress <= 1.0
    stored = Baseline.from_dict(Baseline(view="side", trunk_lean_deg=2.0).to_dict())
    service.set_baseline(stored)
    assert service.baseline is stored
    assert service.baseline_progress() is None


def test_stop_is_idempotent_and_ends_every_thread(model_path: Path) -> None:
    before = set(threading.enumerate())
    with VisionService(BackstepConfig(), "demo", model_path=model_path) as svc:
        assert wait_for(lambda: svc.is_ready)
    svc.stop()
    assert not svc.is_ready
    assert svc.status().model == "stopped"
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not [t for t in leftover if t.name.startswith("backstep-")]


def test_stop_before_start_is_harmless(model_path: Path) -> None:
    svc = VisionService(BackstepConfig(), "demo", model_path=model_path)
    svc.stop()
    svc.stop()


def test_a_broken_model_is_reported_not_raised_and_stop_still_works(tmp_path: Path) -> None:
    bad = tmp_path / "broken.task"
    bad.write_bytes(b"not a model")
    svc = VisionService(BackstepConfig(), "demo", model_path=bad)
    svc.start()
    try:
        assert wait_for(lambda: svc.status().model == "error")
        status = svc.status()
        assert status.last_error is not None and "broken.task" in status.last_error
        assert not svc.is_ready
        assert svc.latest_result() is None
    finally:
        svc.stop()


def test_with_several_pose_workers_results_are_published_in_frame_order(
    model_path: Path,
) -> None:
    config = BackstepConfig.model_validate({"vision": {"pose_workers": 2}})
    svc = VisionService(config, "demo", model_path=model_path)
    seen: list[int] = []
    original = svc._publish

    def publish(pipeline, result) -> None:  # type: ignore[no-untyped-def]
        seen.append(result.frame_index)
        original(pipeline, result)

    svc._publish = publish  # type: ignore[method-assign]
    try:
        svc.start()
        assert wait_for(lambda: svc.status().frames_processed >= 30)
    finally:
        svc.stop()
    status = svc.status()
    assert status.last_error is None
    assert seen == sorted(set(seen))  # never a frame twice, never an older after a newer
    result = svc.latest_result()
    assert result is not None and result.person
