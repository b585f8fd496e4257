"""The station database: migrations, sessions, baselines, retention, recovery and faults."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config.schema import StorageConfig
from kiosk.errors import BackstepError
from kiosk.store.database import Store, database_path, resolve_data_dir
from kiosk.store.errors import StorageError
from kiosk.store.health import check_storage, open_kiosk_store
from kiosk.store.migrations import LATEST_VERSION, migrate
from kiosk.store.records import EventRecord, Member, Sample

# these tests point storage.data_dir at tmp folders themselves
pytestmark = pytest.mark.config_data_dir

DAY = 86400.0
T0 = 1_760_000_000.0  # a fixed wall-clock time


def make_v1_database(path: Path) -> None:
    """A database as the first released schema left it, with data in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    migrate(conn, target=1)
    conn.execute("INSERT INTO members VALUES ('42', 'Ada', '2030-01-01', 2)")
    conn.execute(
        "INSERT INTO checkins (member_id, t, station_id, method) VALUES ('42', 1.0, 's', 'qr')"
    )
    conn.execute(
        "INSERT INTO sessions (member_id, program, started, ended, status, summary) "
        "VALUES ('42', 'starter', 100.0, 400.0, 'completed', '{\"upright_share\": 0.9}')"
    )
    conn.execute("INSERT INTO samples VALUES (1, 0.0, 1.5, 0.5, 80.0, 95.0, 'upright')")
    conn.execute("COMMIT")
    conn.close()


def test_opening_a_version_1_database_migrates_it_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1_database(path)
    with Store(path) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.get_member("42") == Member("42", "Ada", dt.date(2030, 1, 1), 2)
        session = store.get_session(1)
        assert session is not None and session.summary == {"upright_share": 0.9}
        assert session.station_id == ""  # column added by migration 2, default applied
        assert store.samples(1) == [Sample(0.0, 1.5, 0.5, 80.0, 95.0, "upright")]
        [checkin] = store.list_checkins("42")
        assert checkin.ok and checkin.reason is None  # old rows were successful check-ins
        store.save_baseline("42", {"trunk": 8.0}, T0)  # table from migration 2 exists
        indexes = store._read(
            lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        )
        assert "samples_session_t" in indexes


def test_a_database_from_a_newer_backstep_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1
    conn.close()


def test_the_database_uses_wal_mode(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        mode = store._read(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"


def test_data_dir_comes_from_config_then_systemd_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", f"{tmp_path}/state:{tmp_path}/other")
    assert resolve_data_dir(StorageConfig()) == tmp_path / "state"
    assert resolve_data_dir(StorageConfig(data_dir=tmp_path / "cfg")) == tmp_path / "cfg"
    monkeypatch.delenv("STATE_DIRECTORY")
    assert "backstep" in str(resolve_data_dir(StorageConfig()))
    assert database_path(StorageConfig(data_dir=tmp_path)).parent == tmp_path


def test_backstep_data_dir_overrides_the_config_and_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("BACKSTEP_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(StorageConfig(data_dir=tmp_path / "cfg")) == tmp_path / "env"
    assert resolve_data_dir(StorageConfig()) == tmp_path / "env"
    monkeypatch.setenv("BACKSTEP_DATA_DIR", "  ")  # blank = not set
    assert resolve_data_dir(StorageConfig(data_dir=tmp_path / "cfg")) == tmp_path / "cfg"


def test_a_session_keeps_samples_events_and_summary(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("7", "Bo", dt.date(2030, 1, 1))])
        sid = store.start_session("7", "starter", T0, "station-1")
        store.append_session_data(
            sid,
            [Sample(0.0, 2.0, None, 70.0, None, "upright")],
            [EventRecord(0.5, "cue", {"id": "x"})],
        )
        store.finish_session(sid, "completed", T0 + 60, {"upright_share": 1.0})
        s = store.get_session(sid)
        assert s is not None
        assert (s.status, s.ended, s.summary, s.station_id) == (
            "completed",
            T0 + 60,
            {"upright_share": 1.0},
            "station-1",
        )
        assert store.events(sid) == [EventRecord(0.5, "cue", {"id": "x"})]


def test_recovery_closes_an_active_session_as_interrupted_at_last_sample(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        sid = store.start_session(None, "starter", T0)
        store.append_session_data(sid, [Sample(float(i)) for i in range(12)], [])
        done = store.start_session(None, "starter", T0)
        store.finish_session(done, "completed", T0 + 5, None)
        assert store.recover_interrupted() == [sid]
        s = store.get_session(sid)
        assert s is not None and (s.status, s.ended) == ("interrupted", T0 + 11.0)
        assert len(store.samples(sid)) == 12  # kept
        assert store.recover_interrupted() == []


def test_open_kiosk_store_recovers_and_applies_retention(tmp_path: Path) -> None:
    cfg = StorageConfig(data_dir=tmp_path, retention_days=30)
    with Store.open(cfg) as store:
        old = store.start_session(None, "starter", T0 - 40 * DAY)
        store.append_session_data(old, [Sample(0.0), Sample(1.0)], [EventRecord(0.5, "cue")])
        store.finish_session(old, "completed", T0 - 40 * DAY + 60, {"upright_share": 0.5})
        recent = store.start_session(None, "starter", T0 - DAY)
        store.append_session_data(recent, [Sample(0.0)], [])
    with open_kiosk_store(cfg, T0) as store:
        assert store.samples(old) == []  # samples past retention are gone
        old_s = store.get_session(old)
        assert old_s is not None and old_s.summary == {"upright_share": 0.5}  # summary kept
        assert len(store.events(old)) == 1
        assert len(store.samples(recent)) == 1
        recent_s = store.get_session(recent)
        assert recent_s is not None and recent_s.status == "interrupted"


def test_baseline_is_stale_after_the_configured_days(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("1", "Cy", dt.date(2030, 1, 1))])
        store.save_baseline("1", {"trunk_lean_deg": -8.0}, T0)
        b = store.load_baseline("1")
    assert b is not None and b.data == {"trunk_lean_deg": -8.0}
    assert not b.is_stale(T0 + 29 * DAY, 30)
    assert b.is_stale(T0 + 31 * DAY, 30)


def test_a_locked_database_is_a_clear_storage_error(tmp_path: Path) -> None:
    path = database_path(StorageConfig(data_dir=tmp_path))
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked by another process") as info:
            Store(path, timeout_s=0.1)
        assert isinstance(info.value, BackstepError) and isinstance(info.value, OSError)
        problems = check_storage(StorageConfig(data_dir=tmp_path), timeout_s=0.1)
        assert any("locked" in p for p in problems)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert check_storage(StorageConfig(data_dir=tmp_path)) == []


def test_a_corrupt_database_is_a_clear_storage_error(tmp_path: Path) -> None:
    (tmp_path / "backstep.sqlite3").write_bytes(b"this is not sqlite at all " * 200)
    with pytest.raises(StorageError, match="corrupt"):
        Store.open(StorageConfig(data_dir=tmp_path))
    [problem] = check_storage(StorageConfig(data_dir=tmp_path))
    assert "corrupt" in problem and "move it aside" in problem


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may write to: chmod, plus the immutable flag when we are root."""
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:  # root ignores permission bits
        chattr = subprocess.run(["chattr", "+i", str(data)], capture_output=True)
        immutable = chattr.returncode == 0
        if not immutable:
            pytest.skip("running as root on a filesystem without chattr +i")
    yield data
    if immutable:
        subprocess.run(["chattr", "-i", str(data)], check=True)
    data.chmod(0o755)


def test_a_read_only_data_dir_is_a_clear_error(read_only_dir: Path) -> None:
    cfg = StorageConfig(data_dir=read_only_dir)
    [problem] = check_storage(cfg)
    assert problem.startswith("cannot write") and "read-only" in problem
    with pytest.raises(StorageError, match="read-only"):
        Store.open(cfg)


@pytest.mark.parametrize("module", ["kiosk.store.database", "kiosk.config.loader"])
def test_the_public_import_paths_still_offer_every_name(module: str) -> None:
    # Both modules were split by responsibility; callers keep importing from the old path.
    import importlib

    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []
    if module == "kiosk.store.database":
        for name in ("upsert_members", "start_session", "apply_retention", "check", "close"):
            assert callable(getattr(mod.Store, name))


def test_a_version_5_database_gains_the_belt_and_heart_columns_and_birth_year(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("BEGIN IMMEDIATE")
    migrate(conn, target=5)
    conn.execute("INSERT INTO members (id, name, expires) VALUES ('1', 'Ada', '2030-01-01')")
    conn.execute("INSERT INTO sessions (program, started, status) VALUES ('p', 0, 'completed')")
    conn.execute("INSERT INTO samples (session_id, t, posture) VALUES (1, 0.0, 'upright')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == LATEST_VERSION >= 6
        (old,) = store.samples(1)  # the row written before: its new columns are empty
        assert old.posture == "upright" and old.speed_kmh is None and old.heart_rate_bpm is None
        member = store.get_member("1")
        assert member is not None and member.birth_year is None
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1), None, 1970)])
        store.upsert_members([Member("1", "Ada B.", dt.date(2030, 1, 1))])  # a file without it
        member = store.get_member("1")
        assert member is not None and member.birth_year == 1970 and member.name == "Ada B."
