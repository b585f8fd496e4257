"""Database copies around a switch (SQLite online backup) and the doctor's newer-schema line."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from kiosk.config.schema import BackstepConfig
from kiosk.deploy.dbswitch import copy_database, main, schema_version
from kiosk.doctor.checks import check_data_dir
from kiosk.store.database import Store
from kiosk.store.migrations import LATEST_VERSION
from kiosk.store.records import Member

pytestmark = pytest.mark.config_data_dir


def station_db(data: Path) -> Path:
    db = data / "backstep.sqlite3"
    with Store(db) as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
    return db


def members(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM members ORDER BY name")]
    finally:
        conn.close()


def test_the_backup_holds_what_is_still_in_the_wal(tmp_path: Path) -> None:
    db = station_db(tmp_path)
    live = sqlite3.connect(db)  # a running kiosk: WAL mode, its last rows not checkpointed
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("UPDATE members SET name = 'Ada Lovelace'")
    live.commit()
    plain = tmp_path / "cp.sqlite3"
    shutil.copyfile(db, plain)  # what `cp` of the main file gives
    backup = tmp_path / "backups" / "before.sqlite3"
    assert main(["backup", str(db), str(backup)]) == 0
    live.close()
    assert members(backup) == ["Ada Lovelace"]
    assert not backup.with_name(backup.name + "-wal").exists()  # one self-contained file
    assert members(plain) != ["Ada Lovelace"]  # the reason not to use cp


def test_no_database_yet_is_nothing_to_back_up(tmp_path: Path) -> None:
    assert main(["backup", str(tmp_path / "none.sqlite3"), str(tmp_path / "b.sqlite3")]) == 0
    assert not (tmp_path / "b.sqlite3").exists()


def test_restore_if_newer_restores_only_what_the_old_code_cannot_read(tmp_path: Path) -> None:
    db = station_db(tmp_path)
    backup = tmp_path / "backups" / "before.sqlite3"
    copy_database(db, backup)
    assert main(["restore-if-newer", str(backup), str(db), str(LATEST_VERSION)]) == 0
    assert list(tmp_path.glob("backstep.sqlite3.rolled-back-*")) == []  # readable: kept
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")  # a newer version migrated
    conn.execute("UPDATE members SET name = 'after the update'")
    conn.commit()
    conn.close()
    assert main(["restore-if-newer", str(backup), str(db), str(LATEST_VERSION)]) == 0
    assert schema_version(db) == LATEST_VERSION and members(db) == ["Ada"]
    [aside] = tmp_path.glob("backstep.sqlite3.rolled-back-*Z")
    assert members(aside) == ["after the update"]  # nothing recorded since is thrown away


def test_the_doctor_names_a_newer_schema_and_the_copy_to_restore(tmp_path: Path) -> None:
    cfg = BackstepConfig()
    cfg.storage.data_dir = tmp_path
    db = station_db(tmp_path)
    backup = tmp_path / "backups" / "20260101T000000Z-0.1.0-before-20260102T000000Z.sqlite3"
    copy_database(db, backup)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 2}")
    conn.commit()
    conn.close()
    result = check_data_dir(tmp_path, cfg)
    assert result.status == "fail"
    assert f"schema version {LATEST_VERSION + 2} is newer" in result.detail
    assert "rolled back" in result.detail
    assert f"update.sh --restore-db {backup}" in result.fix
    assert "write access" not in result.fix  # the old, wrong fix
