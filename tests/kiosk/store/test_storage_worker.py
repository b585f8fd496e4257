"""Storage work leaves the UI loop: check-ins run in the worker, answers come back by poll."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from kiosk.config.schema import BackstepConfig
from kiosk.members.checkin import CheckinService
from kiosk.session.lifecycle import CheckinAnswer, MemberSessions
from kiosk.store.database import Store
from kiosk.store.records import Member
from kiosk.store.worker import StorageWorker


def test_a_check_in_runs_in_the_worker_while_the_database_is_busy(tmp_path: Path) -> None:
    cfg = BackstepConfig()
    errors: list[str] = []
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("1001", "Ada", dt.date(2030, 1, 1))])
        sessions = MemberSessions(cfg, store, None, errors.append)  # type: ignore[arg-type]
        service = CheckinService(store, cfg.checkin, "s1")
        worker = StorageWorker(errors.append)
        answers: list[CheckinAnswer] = []
        release, held = threading.Event(), threading.Event()

        def fsync() -> None:  # the session writer holding the store during a slow fsync
            with store._lock:
                held.set()
                release.wait(30)

        threading.Thread(target=fsync, daemon=True).start()
        held.wait(10)
        try:
            worker.submit(lambda: sessions.check_in(service, "1001", "card"), answers.append)
            assert worker.poll() == 0 and answers == []  # the loop goes on drawing meanwhile
        finally:
            release.set()
        deadline = time.monotonic() + 30
        while not answers and time.monotonic() < deadline:
            worker.poll()
            time.sleep(0.01)
        worker.close()
        worker.close()  # idempotent
    [answer] = answers
    assert answer.ok and answer.details["member_id"] == "1001"
    # the member's plan and history were prepared in the worker too: begin() needs no query
    assert sessions.prepared is not None and sessions.prepared.member_id == "1001"
    assert errors == []


def test_a_failing_job_reports_and_hands_the_exception_to_its_callback() -> None:
    errors: list[str] = []
    worker = StorageWorker(errors.append)
    results: list[object] = []

    def broken() -> None:
        raise OSError("disk full")

    worker.submit(broken, results.append)
    worker.close()  # runs what was submitted first
    assert worker.poll() == 1
    assert isinstance(results[0], OSError) and errors == ["storage: disk full"]
