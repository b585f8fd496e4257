"""Station databases for dashboard tests: members and sessions written through the Store API."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

from kiosk.store.database import EventRecord, Member, Sample, Store


def summary(minutes: float, upright: float, core: float, lean: float, safety: int = 0) -> dict:
    """A session summary with the keys the kiosk writes (kiosk.session.running.finish)."""
    return {
        "backward_minutes": minutes,
        "planned_backward_minutes": minutes,
        "upright_share": upright,
        "upright_percent": round(upright * 100, 1),
        "average_core_score": core,
        "average_trunk_lean_deg": lean,
        "average_cadence_spm": 96.0,
        "incline_percent": 0.0,
        "intervals": False,
        "fault_total": 1,
        "faults": {"leaning_forward": 1},
        "safety": {"drift": safety} if safety else {},
        "cues": {"posture": 1},
        "longest_streak_s": 40.0,
        "steps": 100,
        "program": "starter",
        "status": "completed",
    }


def add_session(
    store: Store,
    member_id: str,
    started: float,
    info: dict,
    seconds: int = 0,
    events: tuple[EventRecord, ...] = (),
) -> int:
    """One finished session with ``seconds`` per-second samples; returns its id."""
    sid = store.start_session(member_id, "starter", started, "station-1")
    rng = random.Random(sid)
    samples = [
        Sample(
            float(t),
            trunk_lean=round(4 + rng.gauss(0, 3), 2),
            lateral_lean=round(rng.gauss(0, 2), 2),
            core_score=round(min(100, max(0, 70 + rng.gauss(0, 10))), 1),
            cadence=round(95 + rng.gauss(0, 5), 1),
            posture="upright",
        )
        for t in range(seconds)
    ]
    store.append_session_data(sid, samples, list(events))
    store.finish_session(sid, "completed", started + max(seconds, 60), info)
    return sid


def seed_small(data_dir: Path, now: float | None = None) -> dict[str, int]:
    """Three members who need attention for different reasons, and one on track.

    Returns session ids by name: ``steady_last``, ``slipping_last``, ``unsafe_last``.
    """
    now = now or time.time()
    day = 86400.0
    ids: dict[str, int] = {}
    with Store(data_dir / "backstep.sqlite3") as store:
        expires = dt.date.today() + dt.timedelta(days=100)
        store.upsert_members(
            [
                Member("S1", "Steady Sam", expires, 2),
                Member("R2", "Slipping Rita", expires, 1),
                Member("U3", "Unsafe Una", expires, 1),
                Member("N4", "New Ned", expires, None),
            ]
        )
        store.save_baseline("S1", {"view": "side", "trunk_lean_deg": 3.0}, now - 20 * day)
        for i in range(4):
            t = now - (4 - i) * day
            ids["steady_last"] = add_session(store, "S1", t, summary(3 + i, 0.9, 75, 4.0), 120)
            upright = 0.9 if i < 3 else 0.55  # the latest session is much worse
            ids["slipping_last"] = add_session(store, "R2", t, summary(3, upright, 72, 5.0), 60)
        ids["unsafe_last"] = add_session(
            store,
            "U3",
            now - 2 * day,
            summary(2, 0.8, 70, 6.0, safety=2),
            90,
            events=(
                EventRecord(30.0, "safety", {"kind": "drift"}),
                EventRecord(31.5, "fault", {"fault": "leaning_forward", "value": 14.0}),
            ),
        )
    return ids


def seed_load(data_dir: Path, members: int = 200, sessions: int = 5000, seconds: int = 0) -> None:
    """A big station: ``members`` members sharing ``sessions`` sessions over the last year."""
    rng = random.Random(16)
    now = time.time()
    with Store(data_dir / "backstep.sqlite3") as store:
        # test data only: no fsync per transaction, or 15,000 commits take minutes
        store._connection().execute("PRAGMA synchronous = OFF")
        expires = dt.date.today() + dt.timedelta(days=365)
        store.upsert_members(
            [Member(f"M{i:04d}", f"Member {i}", expires, 1 + i % 3) for i in range(members)]
        )
        for _ in range(sessions):
            mid = f"M{rng.randrange(members):04d}"
            info = summary(
                round(rng.uniform(2, 15), 1),
                round(rng.uniform(0.4, 1.0), 3),
                round(rng.uniform(40, 95), 1),
                round(rng.uniform(0, 12), 1),
                safety=1 if rng.random() < 0.02 else 0,
            )
            add_session(store, mid, now - rng.uniform(0, 365) * 86400, info, seconds)
