"""Sessions are written as they happen: a crash or SIGKILL loses at most 5 seconds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.paths import ROOT

from kiosk.session.recorder import SessionRecorder
from kiosk.store.database import Store
from vision.types import FrameMetrics

# Records at five times real speed: 0.1 s of the caller's clock every 20 ms, printing the
# time of every sample it has handed to the recorder.
CHILD = """
import sys, time
from kiosk.session.recorder import SessionRecorder
from kiosk.store.database import Store
from vision.types import FrameMetrics
store = Store(sys.argv[1])
rec = SessionRecorder(store, station_id="crash-test")
rec.start(None, "starter", t=0.0)
print("SID", rec.wait_started(5.0), flush=True)
i = 0
while True:
    t = i * 0.1
    rec.add_sample(t, FrameMetrics(trunk_lean_deg=t, posture="upright", core_score=80))
    if i % 15 == 0:
        rec.add_event(t, "cue", {"id": "stand_tall"})
    print("T", f"{t:.1f}", flush=True)
    i += 1
    time.sleep(0.02)
"""


def committed_samples(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_a_killed_kiosk_loses_at_most_five_seconds_and_the_session_is_interrupted(
    tmp_path: Path,
) -> None:
    db = tmp_path / "backstep.sqlite3"
    Store(db).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    sid_line = child.stdout.readline().split()
    assert sid_line[0] == "SID", sid_line
    sid = int(sid_line[1])
    last_t = 0.0
    for line in child.stdout:
        last_t = float(line.split()[1])
        if last_t >= 16.0:
            break
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate()
    assert child.returncode == -signal.SIGKILL
    for line in rest.splitlines():  # what it printed before the kill landed
        last_t = float(line.split()[1])
    # The child may have added one more sample after its last print.
    t_kill = last_t + 0.1

    with Store(db) as store:
        assert store.recover_interrupted() == [sid]
        session = store.get_session(sid)
        samples = store.samples(sid)
        events = store.events(sid)
    assert session is not None and session.status == "interrupted"
    assert session.station_id == "crash-test"
    assert samples, "nothing was committed before the kill"
    newest = max(s.t for s in samples)
    assert newest >= t_kill - 5.0, f"lost {t_kill - newest:.1f} s"
    assert newest <= t_kill
    # One sample per second of the caller's clock, none missing up to the newest.
    assert [s.t for s in samples] == [float(i) for i in range(int(newest) + 1)]
    assert samples[3].trunk_lean == pytest.approx(3.45)  # mean of 3.0 .. 3.9
    assert session.ended == pytest.approx(session.started + max(newest, events[-1].t))


def test_samples_are_averaged_per_second_and_committed_by_the_callers_clock(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.sqlite3"
    with Store(db) as store:
        rec = SessionRecorder(store, flush_interval_s=2.0, background=False)
        sid = rec.start(None, "starter", t=100.0)
        assert sid is not None
        for i in range(30):  # one second at 30 fps
            posture = "leaning_forward" if i < 10 else "upright"
            rec.add_sample(100.0 + i / 30, FrameMetrics(trunk_lean_deg=4.0, posture=posture))
        rec.add_sample(101.0, FrameMetrics(trunk_lean_deg=None, cadence_spm=90.0))
        assert committed_samples(db) == 0  # under 2 s of the caller's clock: still buffered
        rec.add_sample(102.0, FrameMetrics(trunk_lean_deg=1.0))
        assert committed_samples(db) == 2  # seconds 0 and 1 are on disk
        rec.finish("completed", {"upright_share": 0.7}, t=102.5)
        samples = store.samples(sid)
        session = store.get_session(sid)
    assert [(s.t, s.trunk_lean, s.cadence, s.posture) for s in samples] == [
        (0.0, 4.0, None, "upright"),
        (1.0, None, 90.0, None),
        (2.0, 1.0, None, None),
    ]
    assert session is not None and session.status == "completed"
    assert session.summary == {"upright_share": 0.7}
    assert session.ended == pytest.approx(session.started + 2.5)


def test_the_background_writer_finishes_a_session_with_all_its_rows(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        rec = SessionRecorder(store)
        assert rec.start(None, "starter", t=0.0) is None  # the writer creates the row
        sid = rec.wait_started(5.0)
        assert sid is not None
        for i in range(200):
            rec.add_sample(i * 0.05, FrameMetrics(core_score=50.0))
        rec.add_event(9.9, "safety", {"reason": "member_lost"})
        rec.finish("stopped", {"backward_minutes": 0.2}, t=10.0)
        rec.close()
        assert len(store.samples(sid)) == 10
        assert store.events(sid)[0].data == {"reason": "member_lost"}
        session = store.get_session(sid)
        assert session is not None and session.status == "stopped"
        assert rec.last_error is None


def test_a_failing_database_never_raises_into_the_caller(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    rec = SessionRecorder(store, background=False)
    rec.start(None, "starter", t=0.0)
    store.close()  # the database goes away mid-session
    for i in range(100):
        rec.add_sample(i * 0.1, FrameMetrics(core_score=70.0))
    rec.finish("completed", {}, t=10.0)
    assert rec.last_error is not None and "closed" in rec.last_error
    assert SessionRecorder(None).start(None, "starter", t=0.0) is None


class _Fsync:
    """Another thread holding the store's lock, as the writer does during a slow fsync."""

    def __init__(self, store: Store) -> None:
        import threading

        self.release = threading.Event()
        held = threading.Event()

        def hold() -> None:
            with store._lock:
                held.set()
                self.release.wait(30)

        self.thread = threading.Thread(target=hold, daemon=True)
        self.thread.start()
        held.wait(10)


def _returns(call: Callable[[], object]) -> bool:
    """True when ``call`` returns while the store is busy (run in a thread as a hang guard)."""
    import threading

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(10)
    return not worker.is_alive()


def test_start_and_finish_never_wait_for_the_database(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        rec = SessionRecorder(store)
        busy = _Fsync(store)

        def whole_session() -> None:
            rec.start(None, "starter", t=0.0)
            for i in range(40):
                rec.add_sample(i * 0.1, FrameMetrics(core_score=60.0))
            rec.finish("completed", {"backward_minutes": 0.1}, t=4.0)
            rec.close(timeout=0)

        assert _returns(whole_session)  # the UI loop's calls: none waits for the lock
        assert not rec.is_written()  # "saving…": the writer is still waiting for the lock
        busy.release.set()
        rec.close(timeout=10)
        [session] = store.list_sessions()
        assert session.status == "completed" and len(store.samples(session.id)) == 4
